import PrintEdgeCore
import Testing

@Suite struct PortMatchTests {
    private let mk3 = USBDeviceID(vendorID: 0x2C99, productID: 0x0002)
    private let ch340 = USBDeviceID(vendorID: 0x1A86, productID: 0x7523)

    @Test func eachKindOfMatchFitsWhatItNames() {
        let printer = RecordedUSBDevices.prusaMK3(serial: "CZPX0001")
        #expect(PortMatch.serialNumber("CZPX0001").matches(printer))
        #expect(!PortMatch.serialNumber("CZPX0002").matches(printer))
        #expect(PortMatch.usbID(mk3, serialNumber: nil).matches(printer))
        #expect(PortMatch.usbID(mk3, serialNumber: "CZPX0001").matches(printer))
        #expect(!PortMatch.usbID(mk3, serialNumber: "CZPX0002").matches(printer))
        #expect(!PortMatch.usbID(ch340, serialNumber: nil).matches(printer))
        #expect(PortMatch.link("/dev/serial/by-id/usb-Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_CZPX0001-if00").matches(printer))
        #expect(PortMatch.link("/dev/serial/by-path/platform-3f980000.usb-usb-0:1.3:1.0").matches(printer))
        #expect(!PortMatch.link("/dev/ttyACM0").matches(printer), "a kernel name is not a stable link")
    }

    @Test func aBoardWithoutSerialNumberIsNotMatchedByAnySerialNumber() {
        let adapter = RecordedUSBDevices.ch340()
        #expect(!PortMatch.usbID(ch340, serialNumber: "0001").matches(adapter))
        #expect(PortMatch.usbID(ch340, serialNumber: nil).matches(adapter))
    }

    @Test func aMatchCoversTheNarrowerMatchesOfTheSameThing() {
        #expect(PortMatch.serialNumber("A").covers(.serialNumber("A")))
        #expect(!PortMatch.serialNumber("A").covers(.serialNumber("B")))
        #expect(PortMatch.serialNumber("A").covers(.usbID(mk3, serialNumber: "A")))
        #expect(!PortMatch.serialNumber("A").covers(.usbID(mk3, serialNumber: nil)), "a serial number alone may be another vendor's")
        #expect(!PortMatch.usbID(mk3, serialNumber: "A").covers(.serialNumber("A")))
        #expect(PortMatch.usbID(mk3, serialNumber: nil).covers(.usbID(mk3, serialNumber: "A")))
        #expect(PortMatch.usbID(mk3, serialNumber: nil).covers(.usbID(mk3, serialNumber: nil)))
        #expect(!PortMatch.usbID(mk3, serialNumber: "A").covers(.usbID(mk3, serialNumber: nil)))
        #expect(!PortMatch.usbID(mk3, serialNumber: "A").covers(.usbID(mk3, serialNumber: "B")))
        #expect(!PortMatch.usbID(mk3, serialNumber: nil).covers(.usbID(ch340, serialNumber: nil)))
        #expect(PortMatch.link("/dev/serial/by-id/x").covers(.link("/dev/serial/by-id/x")))
        #expect(!PortMatch.link("/dev/serial/by-id/x").covers(.serialNumber("A")), "known only once the board is plugged in")
        #expect(!PortMatch.serialNumber("A").covers(.link("/dev/serial/by-id/x")))
    }

    @Test func theSuggestionIsTheSerialNumberWhenTheBoardHasOne() {
        let printer = RecordedUSBDevices.prusaMK3(serial: "CZPX0001")
        let other = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX0002", socket: "1.4")
        let match = PortMatch.suggested(for: printer, among: [printer, other])
        #expect(match == .usbID(mk3, serialNumber: "CZPX0001"))
        #expect(match?.tomlInlineTable == "{ usb_id = \"2c99:0002\", serial = \"CZPX0001\" }")
    }

    @Test func theSuggestionForABoardWithoutSerialNumberIsItsUSBSocket() {
        let first = RecordedUSBDevices.ch340(node: "ttyUSB0", socket: "1.2")
        let second = RecordedUSBDevices.ch340(node: "ttyUSB1", socket: "1.4")
        let match = PortMatch.suggested(for: second, among: [first, second])
        #expect(match == .link("/dev/serial/by-path/platform-fd500000.pcie-pci-0000:01:00.0-usb-0:1.4:1.0-port0"))
        #expect(match?.tomlInlineTable == "{ path = \"/dev/serial/by-path/platform-fd500000.pcie-pci-0000:01:00.0-usb-0:1.4:1.0-port0\" }")
    }

    @Test func aBoardWithTwoInterfacesIsSuggestedPerInterface() {
        var control = RecordedUSBDevices.prusaMK3()
        var second = control
        second.deviceNode = "/dev/ttyACM1"
        second.interfaceNumber = 2
        second.byIDLinks = ["/dev/serial/by-id/usb-Prusa-if02"]
        second.byPathLinks = ["/dev/serial/by-path/platform-3f980000.usb-usb-0:1.3:1.2"]
        control.byPathLinks = ["/dev/serial/by-path/platform-3f980000.usb-usb-0:1.3:1.0"]
        #expect(PortMatch.suggested(for: second, among: [control, second]) == .link("/dev/serial/by-path/platform-3f980000.usb-usb-0:1.3:1.2"))
    }

    @Test func nothingIsSuggestedWhenNothingTellsTheBoardApart() {
        var twin = RecordedUSBDevices.ch340()
        twin.byPathLinks = []
        twin.byIDLinks = []
        var other = twin
        other.deviceNode = "/dev/ttyUSB1"
        #expect(PortMatch.suggested(for: twin, among: [twin, other]) == nil)
        #expect(PortMatch.suggested(for: twin, among: [twin]) == .usbID(ch340, serialNumber: nil))
    }

    @Test func pastedValuesAreValidTOMLStrings() {
        #expect(PortMatch.serialNumber("A\"B\\C").tomlInlineTable == "{ serial = \"A\\\"B\\\\C\" }")
        #expect(PortMatch.link("/dev/serial/by-id/a\u{1}b").tomlInlineTable == "{ path = \"/dev/serial/by-id/a\\u0001b\" }")
    }
}
