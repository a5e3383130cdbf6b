import PrintEdgeCore
import Testing

/// The tracker driven by recorded udev event sequences.
@Suite struct HotplugTrackerTests {
    private let mk3 = USBDeviceID(vendorID: 0x2C99, productID: 0x0002)
    private let ch340 = USBDeviceID(vendorID: 0x1A86, productID: 0x7523)

    private func tracker(_ printers: (String, PortMatch)...) -> HotplugTracker {
        HotplugTracker(printers: printers.map { HotplugTracker.Printer(id: $0.0, match: $0.1) })
    }

    @Test func aPrinterConnectsWhenItsDeviceIsPresentAtStart() {
        var tracker = tracker(("mk3s-1", .serialNumber("CZPX0001")))
        let printer = RecordedUSBDevices.prusaMK3(serial: "CZPX0001")
        let actions = tracker.devicesEnumerated([RecordedUSBDevices.ch340(), printer])
        #expect(actions == [.connect(printerID: "mk3s-1", port: printer, previousDeviceNode: nil)])
        #expect(tracker.status(of: "mk3s-1") == .connected(printer))
        #expect(tracker.status(of: "unknown") == nil)
    }

    @Test func aReplugThatRenumbersFindsThePrinterAgainUnderItsNewName() {
        var tracker = tracker(("mk3s-1", .serialNumber("CZPX0001")))
        let before = RecordedUSBDevices.prusaMK3(node: "ttyACM0", serial: "CZPX0001")
        let after = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX0001")
        #expect(tracker.deviceAdded(before) == [.connect(printerID: "mk3s-1", port: before, previousDeviceNode: nil)])

        #expect(tracker.deviceRemoved(deviceNode: "/dev/ttyACM0") == [.disconnect(printerID: "mk3s-1", deviceNode: "/dev/ttyACM0")])
        #expect(tracker.status(of: "mk3s-1") == .waiting)
        let found = tracker.deviceAdded(after)
        #expect(found == [.connect(printerID: "mk3s-1", port: after, previousDeviceNode: "/dev/ttyACM0")])
        #expect(found.first?.description == "printer mk3s-1: found again at /dev/ttyACM1 (was /dev/ttyACM0) after a replug")
    }

    @Test func twoIdenticalBoardsAreToldApartBySerialNumber() {
        var tracker = tracker(
            ("left", .usbID(mk3, serialNumber: "CZPX0001")), ("right", .usbID(mk3, serialNumber: "CZPX0002")))
        let right = RecordedUSBDevices.prusaMK3(node: "ttyACM0", serial: "CZPX0002", socket: "1.2")
        let left = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX0001", socket: "1.3")
        #expect(tracker.deviceAdded(right) == [.connect(printerID: "right", port: right, previousDeviceNode: nil)])
        #expect(tracker.deviceAdded(left) == [.connect(printerID: "left", port: left, previousDeviceNode: nil)])
    }

    @Test func identicalBoardsWithoutSerialNumbersAreToldApartByUSBSocket() {
        let first = RecordedUSBDevices.ch340(node: "ttyUSB0", socket: "1.2")
        let second = RecordedUSBDevices.ch340(node: "ttyUSB1", socket: "1.4")
        var tracker = tracker(
            ("ender-a", .link(first.byPathLinks[0])), ("ender-b", .link(second.byPathLinks[0])))
        #expect(first.byIDLinks == second.byIDLinks, "by-id cannot tell them apart")
        let actions = tracker.devicesEnumerated([second, first])
        #expect(actions == [
            .connect(printerID: "ender-a", port: first, previousDeviceNode: nil),
            .connect(printerID: "ender-b", port: second, previousDeviceNode: nil),
        ])
    }

    @Test func aMatchFittingTwoBoardsConnectsNeitherUntilOneIsLeft() {
        var tracker = tracker(("ender", .usbID(ch340, serialNumber: nil)))
        let first = RecordedUSBDevices.ch340(node: "ttyUSB0", socket: "1.2")
        let second = RecordedUSBDevices.ch340(node: "ttyUSB1", socket: "1.4")
        let actions = tracker.devicesEnumerated([first, second])
        #expect(actions == [.ambiguous(printerID: "ender", candidates: [first, second])])
        #expect(actions.first?.description.contains("connects to none") == true)
        #expect(tracker.devicesEnumerated([first, second]).isEmpty, "an ambiguity is reported once")

        #expect(tracker.deviceRemoved(deviceNode: "/dev/ttyUSB0") == [.connect(printerID: "ender", port: second, previousDeviceNode: nil)])
    }

    @Test func anAmbiguityThatEndsWithNoDeviceIsReportedAsWaiting() {
        var tracker = tracker(("ender", .usbID(ch340, serialNumber: nil)))
        _ = tracker.devicesEnumerated([RecordedUSBDevices.ch340(node: "ttyUSB0"), RecordedUSBDevices.ch340(node: "ttyUSB1", socket: "1.4")])
        #expect(tracker.devicesEnumerated([]) == [.waiting(printerID: "ender")])
        #expect(tracker.status(of: "ender") == .waiting)
    }

    @Test func aHubReplugDisconnectsEveryPrinterBehindItAndFindsEachAgain() {
        var tracker = tracker(
            ("a", .serialNumber("CZPX000A")), ("b", .serialNumber("CZPX000B")), ("c", .serialNumber("CZPX000C")))
        let a0 = RecordedUSBDevices.prusaMK3(node: "ttyACM0", serial: "CZPX000A", socket: "1.1")
        let b0 = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX000B", socket: "1.2")
        let c0 = RecordedUSBDevices.prusaMK3(node: "ttyACM2", serial: "CZPX000C", socket: "1.3")
        #expect(tracker.devicesEnumerated([a0, b0, c0]).count == 3)

        // The hub goes: udev sends one remove per tty, in kernel order.
        var actions: [HotplugAction] = []
        for node in ["/dev/ttyACM0", "/dev/ttyACM1", "/dev/ttyACM2"] { actions += tracker.deviceRemoved(deviceNode: node) }
        #expect(actions == [
            .disconnect(printerID: "a", deviceNode: "/dev/ttyACM0"),
            .disconnect(printerID: "b", deviceNode: "/dev/ttyACM1"),
            .disconnect(printerID: "c", deviceNode: "/dev/ttyACM2"),
        ])

        // It comes back and enumerates its ports in another order.
        let c1 = RecordedUSBDevices.prusaMK3(node: "ttyACM0", serial: "CZPX000C", socket: "1.3")
        let a1 = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX000A", socket: "1.1")
        let b1 = RecordedUSBDevices.prusaMK3(node: "ttyACM2", serial: "CZPX000B", socket: "1.2")
        actions = [c1, a1, b1].flatMap { tracker.deviceAdded($0) }
        #expect(actions == [
            .connect(printerID: "c", port: c1, previousDeviceNode: "/dev/ttyACM2"),
            .connect(printerID: "a", port: a1, previousDeviceNode: "/dev/ttyACM0"),
            .connect(printerID: "b", port: b1, previousDeviceNode: "/dev/ttyACM1"),
        ])
    }

    @Test func aRescanAfterAHubReplugIsJudgedAsAWhole() {
        var tracker = tracker(("a", .serialNumber("CZPX000A")), ("b", .serialNumber("CZPX000B")))
        let a0 = RecordedUSBDevices.prusaMK3(node: "ttyACM0", serial: "CZPX000A")
        let b0 = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX000B", socket: "1.4")
        _ = tracker.devicesEnumerated([a0, b0])
        // Between two rescans the hub was replugged and the nodes swapped.
        let b1 = RecordedUSBDevices.prusaMK3(node: "ttyACM0", serial: "CZPX000B", socket: "1.4")
        let a1 = RecordedUSBDevices.prusaMK3(node: "ttyACM1", serial: "CZPX000A")
        #expect(tracker.devicesEnumerated([b1, a1]) == [
            .disconnect(printerID: "a", deviceNode: "/dev/ttyACM0"),
            .disconnect(printerID: "b", deviceNode: "/dev/ttyACM1"),
            .connect(printerID: "a", port: a1, previousDeviceNode: "/dev/ttyACM0"),
            .connect(printerID: "b", port: b1, previousDeviceNode: "/dev/ttyACM1"),
        ])
    }

    @Test func theOrderAScanListsDevicesInDecidesNothing() {
        let first = RecordedUSBDevices.ch340(node: "ttyUSB0")
        let second = RecordedUSBDevices.ch340(node: "ttyUSB1", socket: "1.4")
        var forward = tracker(("ender", .usbID(ch340, serialNumber: nil)))
        var backward = forward
        #expect(forward.devicesEnumerated([first, second]) == backward.devicesEnumerated([second, first]))
        #expect(forward.status(of: "ender") == .ambiguous([first, second]))
    }

    @Test func aRemoveForAnUnknownDeviceChangesNothing() {
        var tracker = tracker(("mk3s-1", .serialNumber("CZPX0001")))
        let printer = RecordedUSBDevices.prusaMK3(serial: "CZPX0001")
        _ = tracker.deviceAdded(printer)
        #expect(tracker.deviceRemoved(deviceNode: "/dev/ttyAMA0").isEmpty)
        #expect(tracker.deviceRemoved(deviceNode: "/dev/ttyUSB7").isEmpty)
        #expect(tracker.status(of: "mk3s-1") == .connected(printer))
    }

    @Test func anAddWhileConnectedToAnotherMatchingDeviceKeepsTheConnection() {
        var tracker = tracker(("ender", .usbID(ch340, serialNumber: nil)))
        let first = RecordedUSBDevices.ch340(node: "ttyUSB0")
        let second = RecordedUSBDevices.ch340(node: "ttyUSB1", socket: "1.4")
        _ = tracker.deviceAdded(first)
        let actions = tracker.deviceAdded(second)
        #expect(actions == [.ignoredSecondMatch(printerID: "ender", connectedTo: "/dev/ttyUSB0", newcomer: second)])
        #expect(actions.first?.description.contains("it stays on /dev/ttyUSB0") == true)
        #expect(tracker.status(of: "ender") == .connected(first))

        // When the first goes, the one left is the only candidate.
        #expect(tracker.deviceRemoved(deviceNode: "/dev/ttyUSB0") == [
            .disconnect(printerID: "ender", deviceNode: "/dev/ttyUSB0"),
            .connect(printerID: "ender", port: second, previousDeviceNode: "/dev/ttyUSB0"),
        ])
    }

    @Test func aDeviceTwoPrintersMatchesIsTakenByNeither() {
        var tracker = tracker(("by-serial", .serialNumber("CZPX0001")), ("by-model", .usbID(mk3, serialNumber: nil)))
        let board = RecordedUSBDevices.prusaMK3(serial: "CZPX0001")
        let actions = tracker.deviceAdded(board)
        #expect(actions == [
            .contested(printerID: "by-serial", port: board, rivals: ["by-model"]),
            .contested(printerID: "by-model", port: board, rivals: ["by-serial"]),
        ])
        #expect(tracker.status(of: "by-model") == .contested(board, rivals: ["by-serial"]))
        #expect(tracker.deviceRemoved(deviceNode: board.deviceNode) == [.waiting(printerID: "by-serial"), .waiting(printerID: "by-model")])
    }

    @Test func aRepeatedAddOfTheSameDeviceIsIgnoredAndAChangedOneReplacesIt() {
        var tracker = tracker(("mk3s-1", .serialNumber("CZPX0001")))
        let printer = RecordedUSBDevices.prusaMK3(serial: "CZPX0001")
        _ = tracker.deviceAdded(printer)
        #expect(tracker.deviceAdded(printer).isEmpty)

        var relinked = printer
        relinked.byIDLinks.append("/dev/printedge/mk3s-1")
        #expect(tracker.deviceAdded(relinked) == [
            .disconnect(printerID: "mk3s-1", deviceNode: "/dev/ttyACM0"),
            .connect(printerID: "mk3s-1", port: relinked, previousDeviceNode: "/dev/ttyACM0"),
        ])
        #expect(tracker.presentDevices == [relinked])
    }

    @Test func everyActionNamesItsPrinterInItsMessage() {
        let port = RecordedUSBDevices.prusaMK3()
        let actions: [HotplugAction] = [
            .connect(printerID: "p", port: port, previousDeviceNode: nil),
            .connect(printerID: "p", port: port, previousDeviceNode: port.deviceNode),
            .disconnect(printerID: "p", deviceNode: port.deviceNode),
            .ambiguous(printerID: "p", candidates: [port, port]),
            .contested(printerID: "p", port: port, rivals: ["q"]),
            .ignoredSecondMatch(printerID: "p", connectedTo: "/dev/ttyACM1", newcomer: port),
            .waiting(printerID: "p"),
        ]
        for action in actions {
            #expect(action.printerID == "p")
            #expect(action.description.hasPrefix("printer p: "))
        }
        #expect(actions[0].description == "printer p: connecting to /dev/ttyACM0 (2c99:0002, Prusa Research (prusa3d.com) Original Prusa i3 MK3, serial CZPX1234X004XK12345)")
        #expect(actions[2].description.contains("unplugged"))
    }
}
