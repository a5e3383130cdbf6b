import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeUSB

/// The sysfs fallback against fake trees laid out as the kernel does for cdc_acm ttyACM
/// and ch341/ftdi_sio ttyUSB devices; expected values are what udev gives for the same
/// boards (`udevadm info --query=property`).
@Suite struct SysfsSerialPortsTests {
    private static let prusaByID = "usb-Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_CZPX1234X004XK12345-if00"
    private static let prusaByPath = "platform-3f980000.usb-usb-0:1.3:1.0"

    private func addPrusa(_ tree: borrowing FakeDeviceTree, name: String = "ttyACM0", usbPath: String = "1-1/1-1.3") throws {
        try tree.addCDCACM(
            name: name, usbPath: usbPath, vendorID: "2c99", productID: "0002", manufacturer: "Prusa Research (prusa3d.com)",
            product: "Original Prusa i3 MK3", serial: "CZPX1234X004XK12345", byID: Self.prusaByID, byPath: Self.prusaByPath)
    }

    private func addCH340(_ tree: borrowing FakeDeviceTree, name: String = "ttyUSB0", usbPath: String = "1-1/1-1.2") throws {
        try tree.addUSBSerial(
            name: name, usbPath: usbPath, vendorID: "1a86", productID: "7523", manufacturer: nil, product: "USB2.0-Serial",
            serial: nil, driver: "ch341", portDriver: "ch341-uart", byID: "usb-1a86_USB2.0-Serial-if00-port0",
            byPath: "platform-3f980000.usb-usb-0:\(usbPath.split(separator: "-").last ?? ""):1.0-port0")
    }

    @Test func aCDCACMBoardIsDescribedAsUdevWouldDescribeIt() throws {
        let tree = try FakeDeviceTree()
        try addPrusa(tree)
        let device = try #require(SysfsSerialPorts(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot).device(named: "ttyACM0"))
        #expect(device.sysName == "ttyACM0")
        #expect(device.properties == [
            "DEVNAME": "\(tree.deviceRoot)/ttyACM0",
            "DEVPATH": "/devices/platform/soc/3f980000.usb/usb1/1-1/1-1.3/1-1.3:1.0/tty/ttyACM0",
            "SUBSYSTEM": "tty",
            "ID_BUS": "usb",
            "ID_VENDOR_ID": "2c99",
            "ID_MODEL_ID": "0002",
            "ID_VENDOR": "Prusa_Research__prusa3d.com_",
            "ID_VENDOR_ENC": "Prusa\\x20Research\\x20\\x28prusa3d.com\\x29",
            "ID_MODEL": "Original_Prusa_i3_MK3",
            "ID_MODEL_ENC": "Original\\x20Prusa\\x20i3\\x20MK3",
            "ID_SERIAL_SHORT": "CZPX1234X004XK12345",
            "ID_USB_INTERFACE_NUM": "00",
            "ID_USB_DRIVER": "cdc_acm",
            "DEVLINKS": "\(tree.deviceRoot)/serial/by-id/\(Self.prusaByID) \(tree.deviceRoot)/serial/by-path/\(Self.prusaByPath)",
        ])
    }

    @Test func aUSBSerialAdapterIsDescribedThroughItsPortDevice() throws {
        let tree = try FakeDeviceTree()
        try addCH340(tree)
        let device = try #require(SysfsSerialPorts(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot).device(named: "ttyUSB0"))
        #expect(device.deviceNode == "\(tree.deviceRoot)/ttyUSB0")
        #expect(device.properties["DEVPATH"] == "/devices/platform/soc/3f980000.usb/usb1/1-1/1-1.2/1-1.2:1.0/ttyUSB0/tty/ttyUSB0")
        #expect(device.properties["ID_USB_DRIVER"] == "ch341", "the interface's driver, as udev reports it, not the port's ch341-uart")
        #expect(device.properties["ID_VENDOR"] == "1a86", "udev names a device without manufacturer string by its id")
        #expect(device.properties["ID_VENDOR_ENC"] == "1a86")
        #expect(device.properties["ID_MODEL_ENC"] == "USB2.0-Serial")
        #expect(device.properties["ID_SERIAL_SHORT"] == nil)
        #expect(device.properties["DEVLINKS"] == "\(tree.deviceRoot)/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0 \(tree.deviceRoot)/serial/by-path/platform-3f980000.usb-usb-0:1.2:1.0-port0")
    }

    @Test func anFTDIAdapterKeepsItsSerialNumber() throws {
        let tree = try FakeDeviceTree()
        try tree.addUSBSerial(
            name: "ttyUSB3", usbPath: "1-1/1-1.5", vendorID: "0403", productID: "6001", manufacturer: "FTDI",
            product: "FT232R USB UART", serial: "A50285BI", driver: "ftdi_sio", portDriver: "ftdi_sio",
            byID: "usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", byPath: nil)
        let device = try #require(SysfsSerialPorts(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot).device(named: "ttyUSB3"))
        #expect(device.properties["ID_SERIAL_SHORT"] == "A50285BI")
        #expect(device.properties["ID_USB_DRIVER"] == "ftdi_sio")
        #expect(device.properties["ID_MODEL_ENC"] == "FT232R\\x20USB\\x20UART")
        #expect(device.properties["DEVLINKS"] == "\(tree.deviceRoot)/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0")
    }

    @Test func onlyTtysWithAUSBDeviceAboveThemAreListed() throws {
        let tree = try FakeDeviceTree()
        try addPrusa(tree)
        try addCH340(tree)
        try tree.addOnboardUART(name: "ttyAMA0")
        try tree.addVirtualTTY(name: "tty1")
        let devices = SysfsSerialPorts(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot + "/").devices()
        #expect(devices.map(\.sysName) == ["ttyACM0", "ttyUSB0"])
        #expect(devices.allSatisfy { $0.hasUSBParent })
        #expect(devices.first?.deviceNode == "\(tree.deviceRoot)/ttyACM0", "a trailing slash on the root is not doubled")
    }

    @Test func serialNumbersAreCleanedAsUdevCleansThem() throws {
        let tree = try FakeDeviceTree()
        try tree.addCDCACM(
            name: "ttyACM0", usbPath: "1-1/1-1.1", vendorID: "0483", productID: "5740", manufacturer: "STMicroelectronics",
            product: "  STM32 Virtual ComPort ", serial: "  20 6A 3B ", byID: nil, byPath: nil)
        try tree.addCDCACM(
            name: "ttyACM1", usbPath: "1-1/1-1.2", vendorID: "0483", productID: "5740", manufacturer: "STMicroelectronics",
            product: "STM32 Virtual ComPort", serial: "1234,5678", byID: nil, byPath: nil)
        let ports = SysfsSerialPorts(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot)
        let spaced = try #require(ports.device(named: "ttyACM0"))
        #expect(spaced.properties["ID_SERIAL_SHORT"] == "20_6A_3B")
        #expect(spaced.properties["ID_MODEL"] == "STM32_Virtual_ComPort")
        #expect(spaced.properties["DEVLINKS"] == nil)
        let withComma = try #require(ports.device(named: "ttyACM1"))
        #expect(withComma.properties["ID_SERIAL_SHORT"] == nil, "udev drops a serial number holding a comma")
    }

    @Test func anAbsentOrNonUSBTtyIsNotDescribed() throws {
        let tree = try FakeDeviceTree()
        try tree.addOnboardUART(name: "ttyAMA0")
        let ports = SysfsSerialPorts(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot)
        #expect(ports.device(named: "ttyAMA0") == nil)
        #expect(ports.device(named: "ttyACM9") == nil)
        #expect(SysfsSerialPorts(sysfsRoot: tree.root + "/nowhere", deviceRoot: tree.deviceRoot).devices().isEmpty)
    }

    @Test func udevEncodingAndSanitisingMatchUdev() {
        #expect(UdevPropertyEncoding.encode("Prusa Research (prusa3d.com)") == "Prusa\\x20Research\\x20\\x28prusa3d.com\\x29")
        #expect(UdevPropertyEncoding.encode("a\\b/c") == "a\\x5cb\\x2fc")
        #expect(UdevPropertyEncoding.encode("Crème") == "Crème", "multi-byte UTF-8 is kept")
        #expect(UdevPropertyEncoding.sanitize("  Prusa Research (prusa3d.com) ") == "Prusa_Research__prusa3d.com_")
        #expect(UdevPropertyEncoding.sanitize("a\t\n b") == "a_b")
        #expect(UdevPropertyEncoding.sanitize("x\\x20y") == "x\\x20y", "hex escapes are kept")
        #expect(UdevPropertyEncoding.isUsableSerialNumber("CZPX1234"))
        #expect(!UdevPropertyEncoding.isUsableSerialNumber("12,34"))
        #expect(!UdevPropertyEncoding.isUsableSerialNumber("ab\u{7}"))
        #expect(!UdevPropertyEncoding.isUsableSerialNumber("Crème"))
    }
}
