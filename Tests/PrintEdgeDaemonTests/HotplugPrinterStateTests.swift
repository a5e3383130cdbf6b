import PrintEdgeCore
@testable import PrintEdgeDaemon
import Testing

/// What a printer found by its match knows of its device, action by action.
@Suite struct HotplugPrinterStateTests {
    private let match = PortMatch.serialNumber("PE0001")

    private func port(_ node: String) -> USBSerialPort {
        USBSerialPort(deviceNode: node, byIDLinks: ["/dev/serial/by-id/usb-Prusa_PE0001-if00"], usbID: USBDeviceID(vendorID: 0x2c99, productID: 2),
                      serialNumber: "PE0001", sysfsDevicePath: "/devices/usb1/1-1/1-1:1.0/tty/\(node.split(separator: "/").last ?? "")")
    }

    @Test func aConnectGivesTheNodeToOpenAndTheLinkToShow() {
        var state = HotplugPrinterState(match: match)
        #expect(state.nodeToOpen { _ in true } == nil)
        #expect(state.status.state == "waiting")
        state.apply(.connect(printerID: "mk3", port: port("/dev/ttyACM0"), previousDeviceNode: nil))
        #expect(state.nodeToOpen { _ in true } == "/dev/ttyACM0")
        #expect(state.displayName == "/dev/serial/by-id/usb-Prusa_PE0001-if00")
        #expect(state.status.summary == "on /dev/serial/by-id/usb-Prusa_PE0001-if00 (/dev/ttyACM0)")
    }

    @Test func aNodeFoundGoneIsNotOpenedUntilItExistsAgain() {
        var state = HotplugPrinterState(match: match)
        state.apply(.connect(printerID: "mk3", port: port("/dev/ttyACM0"), previousDeviceNode: nil))
        state.nodeWentAway()
        #expect(state.nodeToOpen { _ in false } == nil)
        #expect(state.status.state == "waiting")
        #expect(state.status.message?.hasPrefix("/dev/ttyACM0 is gone (unplugged?)") == true)
        #expect(state.nodeToOpen { _ in true } == "/dev/ttyACM0", "the same name came back before the tracker said anything")
        #expect(state.status.state == "connected")
    }

    @Test func aDisconnectLeavesNothingToOpenUntilTheNextConnect() {
        var state = HotplugPrinterState(match: match)
        state.apply(.connect(printerID: "mk3", port: port("/dev/ttyACM0"), previousDeviceNode: nil))
        state.apply(.disconnect(printerID: "mk3", deviceNode: "/dev/ttyACM0"))
        #expect(state.nodeToOpen { _ in true } == nil)
        state.apply(.connect(printerID: "mk3", port: port("/dev/ttyACM1"), previousDeviceNode: "/dev/ttyACM0"))
        #expect(state.nodeToOpen { _ in true } == "/dev/ttyACM1")
    }

    @Test func anAmbiguityIsShownWithTheTrackersExplanationUntilItEnds() {
        var state = HotplugPrinterState(match: match)
        let action = HotplugAction.ambiguous(printerID: "mk3", candidates: [port("/dev/ttyACM0"), port("/dev/ttyACM1")])
        state.apply(action)
        #expect(state.status.state == "ambiguous")
        #expect(state.status.message == action.description)
        state.apply(.waiting(printerID: "mk3"))
        #expect(state.status.state == "waiting")
    }
}
