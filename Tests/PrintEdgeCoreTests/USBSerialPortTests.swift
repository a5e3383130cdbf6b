import PrintEdgeCore
import Testing

@Suite struct USBSerialPortTests {
    @Test func aPrusaBoardIsDescribedFromItsUdevProperties() throws {
        let port = try #require(USBSerialPort(udevProperties: RecordedUSBDevices.prusaMK3Properties()))
        #expect(port.deviceNode == "/dev/ttyACM0")
        #expect(port.usbID == USBDeviceID(vendorID: 0x2C99, productID: 0x0002))
        #expect(port.manufacturer == "Prusa Research (prusa3d.com)")
        #expect(port.product == "Original Prusa i3 MK3")
        #expect(port.serialNumber == "CZPX1234X004XK12345")
        #expect(port.driver == "cdc_acm")
        #expect(port.interfaceNumber == 0)
        #expect(port.byIDLinks == ["/dev/serial/by-id/usb-Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_CZPX1234X004XK12345-if00"])
        #expect(port.byPathLinks == ["/dev/serial/by-path/platform-3f980000.usb-usb-0:1.3:1.0"])
        #expect(port.sysfsDevicePath == "/devices/platform/soc/3f980000.usb/usb1/1-1/1-1.3/1-1.3:1.0/tty/ttyACM0")
    }

    @Test func aBoardWithoutStringsIsNotNamedAfterItsIDs() throws {
        let port = try #require(USBSerialPort(udevProperties: RecordedUSBDevices.ch340Properties()))
        #expect(port.usbID.description == "1a86:7523")
        #expect(port.manufacturer == nil)
        #expect(port.product == "USB2.0-Serial")
        #expect(port.serialNumber == nil)
        #expect(port.driver == "ch341")
        #expect(port.byIDLinks == ["/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0"])
        #expect(port.displayName == "USB2.0-Serial")
    }

    @Test func theUSBTwinPropertiesWinOverOnesOtherRulesMayHaveOverwritten() throws {
        var properties = RecordedUSBDevices.prusaMK3Properties()
        properties["ID_MODEL_ENC"] = "Overwritten\\x20by\\x20a\\x20rule"
        properties["ID_USB_MODEL_ENC"] = "Original\\x20Prusa\\x20i3\\x20MK3"
        properties["ID_SERIAL_SHORT"] = "from-another-rule"
        properties["ID_USB_SERIAL_SHORT"] = "CZPX1234X004XK12345"
        let port = try #require(USBSerialPort(udevProperties: properties))
        #expect(port.product == "Original Prusa i3 MK3")
        #expect(port.serialNumber == "CZPX1234X004XK12345")
    }

    @Test func aTtyWithoutAUSBDeviceIsNoCandidate() {
        #expect(USBSerialPort(udevProperties: RecordedUSBDevices.onboardUARTProperties) == nil)
        var bluetooth = RecordedUSBDevices.prusaMK3Properties()
        bluetooth["ID_BUS"] = "bluetooth"
        #expect(USBSerialPort(udevProperties: bluetooth) == nil)
        var noNode = RecordedUSBDevices.prusaMK3Properties()
        noNode["DEVNAME"] = nil
        #expect(USBSerialPort(udevProperties: noNode) == nil)
        var malformedID = RecordedUSBDevices.prusaMK3Properties()
        malformedID["ID_VENDOR_ID"] = "2c9"
        #expect(USBSerialPort(udevProperties: malformedID) == nil)
    }

    @Test func udevEscapesAreDecodedAndMalformedOnesKept() {
        #expect(USBSerialPort.decodingUdevEscapes("Prusa\\x20Research") == "Prusa Research")
        #expect(USBSerialPort.decodingUdevEscapes("caf\\xc3\\xa9") == "café")
        #expect(USBSerialPort.decodingUdevEscapes("a\\x2") == "a\\x2")
        #expect(USBSerialPort.decodingUdevEscapes("a\\xZZb") == "a\\xZZb")
        #expect(USBSerialPort.decodingUdevEscapes("\\\\x41") == "\\A")
    }

    @Test func usbIDsParseAndPrintAsLsusbWritesThem() {
        #expect(USBDeviceID("2C99:0002")?.description == "2c99:0002")
        #expect(USBDeviceID("1a86:7523") == USBDeviceID(vendorID: 0x1A86, productID: 0x7523))
        #expect(USBDeviceID(vendorID: 0x483, productID: 0x5740).description == "0483:5740")
        for malformed in ["2c99", "2c99:02", "2c99:00002", "xyz1:0002", "2c99:0002:1", "", ":", "+c99:0002"] {
            #expect(USBDeviceID(malformed) == nil, "\(malformed)")
        }
    }
}
