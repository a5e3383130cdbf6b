import Glibc
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeUSB

/// Rescans of fake trees diffed into events, the watcher's choice of source, and libudev
/// on this machine as it is.
@Suite struct HotplugWatcherTests {
    private func addPrusa(_ tree: borrowing FakeDeviceTree, name: String, usbPath: String, serial: String) throws {
        try tree.addCDCACM(
            name: name, usbPath: usbPath, vendorID: "2c99", productID: "0002", manufacturer: "Prusa Research (prusa3d.com)",
            product: "Original Prusa i3 MK3", serial: serial,
            byID: "usb-Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_\(serial)-if00", byPath: nil)
    }

    private func scanner(_ tree: borrowing FakeDeviceTree) -> USBPortScanner {
        USBPortScanner(sysfsRoot: tree.sysfsRoot, deviceRoot: tree.deviceRoot)
    }

    @Test func aReplugThatRenumbersReadsAsARemoveThenAnAdd() throws {
        let tree = try FakeDeviceTree()
        try addPrusa(tree, name: "ttyACM0", usbPath: "1-1/1-1.3", serial: "CZPX0001")
        var rescanner = PortRescanner(scanner: scanner(tree))
        let first = try rescanner.scan()
        #expect(first.devices.map(\.sysName) == ["ttyACM0"])
        #expect(first.source == .sysfs(reason: "sysfs root \(tree.sysfsRoot) is not /sys"))
        #expect(try rescanner.rescan().isEmpty, "nothing changed")

        tree.unplug(name: "ttyACM0", usbPath: "1-1/1-1.3")
        try addPrusa(tree, name: "ttyACM1", usbPath: "1-1/1-1.3", serial: "CZPX0001")
        let events = try rescanner.rescan()
        #expect(events.map(\.action) == [.remove, .add])
        #expect(events.map(\.device.sysName) == ["ttyACM0", "ttyACM1"])
        #expect(events.first?.device.properties["ID_SERIAL_SHORT"] == "CZPX0001", "a removal carries the device as last seen")
        #expect(events.last?.device.properties["DEVLINKS"]?.hasSuffix("CZPX0001-if00") == true)
    }

    @Test func aHubUnplugRemovesEveryDeviceBehindIt() throws {
        let tree = try FakeDeviceTree()
        try addPrusa(tree, name: "ttyACM0", usbPath: "1-1/1-1.1", serial: "CZPX000A")
        try addPrusa(tree, name: "ttyACM1", usbPath: "1-1/1-1.2", serial: "CZPX000B")
        try tree.addUSBSerial(
            name: "ttyUSB0", usbPath: "1-1/1-1.4", vendorID: "1a86", productID: "7523", manufacturer: nil,
            product: "USB2.0-Serial", serial: nil, driver: "ch341", portDriver: "ch341-uart", byID: nil, byPath: nil)
        try addPrusa(tree, name: "ttyACM2", usbPath: "1-2", serial: "CZPX000C")
        var rescanner = PortRescanner(scanner: scanner(tree))
        #expect(try rescanner.scan().devices.count == 4)

        for (name, path) in [("ttyACM0", "1-1/1-1.1"), ("ttyACM1", "1-1/1-1.2"), ("ttyUSB0", "1-1/1-1.4")] {
            tree.unplug(name: name, usbPath: path)
        }
        let events = try rescanner.rescan()
        #expect(events.map(\.action) == [.remove, .remove, .remove])
        #expect(events.map(\.device.sysName) == ["ttyACM0", "ttyACM1", "ttyUSB0"])
        #expect(rescanner.lastDevices.map(\.sysName) == ["ttyACM2"])
    }

    @Test func aDeviceWhosePropertiesChangedIsRemovedAndAddedAgain() {
        let before = UdevDevice(sysName: "ttyACM0", properties: ["DEVNAME": "/dev/ttyACM0", "ID_SERIAL_SHORT": "A"])
        let after = UdevDevice(sysName: "ttyACM0", properties: ["DEVNAME": "/dev/ttyACM0", "ID_SERIAL_SHORT": "B"])
        #expect(UdevEvent.changes(from: [before], to: [after]) == [UdevEvent(.remove, before), UdevEvent(.add, after)])
        #expect(UdevEvent.changes(from: [before], to: [before]).isEmpty)
    }

    @Test func aFakeTreeIsWatchedByRescanning() throws {
        let tree = try FakeDeviceTree()
        let watcher = HotplugWatcher(scanner: scanner(tree), rescanInterval: .milliseconds(1))
        #expect(watcher.mode == .rescan(interval: .milliseconds(1), reason: "sysfs root \(tree.sysfsRoot) is not /sys"))
        #expect(try watcher.scan().devices.isEmpty)

        try addPrusa(tree, name: "ttyACM0", usbPath: "1-1/1-1.3", serial: "CZPX0001")
        var events: [UdevEvent] = []
        // Each wait rescans once the interval has passed; a few rounds cover a slow machine.
        for _ in 0..<100 where events.isEmpty {
            events = try watcher.waitForEvents(timeout: .milliseconds(20))
        }
        #expect(events.map(\.action) == [.add])
        #expect(events.first?.device.properties["ID_VENDOR_ID"] == "2c99")
    }

    @Test func aWakeupEndsTheWaitEarlyWithoutEvents() throws {
        let tree = try FakeDeviceTree()
        let watcher = HotplugWatcher(scanner: scanner(tree), rescanInterval: .seconds(3600))
        _ = try watcher.scan()
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer {
            close(pipeEnds[0])
            close(pipeEnds[1])
        }
        #expect(write(pipeEnds[1], "x", 1) == 1)
        #expect(try watcher.waitForEvents(timeout: .seconds(3600), wakeup: pipeEnds[0]).isEmpty)
    }

    // MARK: - This machine as it is

    @Test func libudevListsThisMachinesTtysWithoutFailing() throws {
        let ttys = try UdevContext().ttyDevices()
        #expect(ttys.allSatisfy { !$0.sysName.isEmpty })
        let scan = try USBPortScanner().scan()
        #expect(scan.devices.allSatisfy { $0.hasUSBParent }, "an empty list is fine where no USB device is plugged in")
    }

    @Test func withoutUdevdTheMonitorSaysWhyAndTheWatcherRescans() throws {
        let missing = "/nonexistent/printedge-test/udev-control"
        #expect(throws: USBError.udevNotRunning(controlPath: missing)) { try UdevMonitor(controlPath: missing) }
        #expect(USBError.udevNotRunning(controlPath: missing).description.contains("rescans /sys instead"))

        let watcher = HotplugWatcher(rescanInterval: .seconds(5), udevControlPath: missing)
        guard case .rescan(let interval, let reason) = watcher.mode else {
            Issue.record("expected the rescan fallback, got \(watcher.mode)")
            return
        }
        #expect(interval == .seconds(5))
        #expect(reason.contains("udevd is not running"))
    }

    @Test func aMonitorOnTheRealNetlinkSocketIsCreatedOrRefusedClearly() throws {
        let tree = try FakeDeviceTree()
        // Stands in for udevd's control socket: only its existence is checked.
        let control = "\(tree.root)/control"
        let descriptor = creat(control, 0o600)
        #expect(descriptor >= 0)
        close(descriptor)
        do {
            let monitor = try UdevMonitor(controlPath: control)
            #expect(monitor.fileDescriptor >= 0)
            #expect(monitor.receiveAvailable().isEmpty, "no device changes during the test")
        } catch {
            guard case .monitorUnavailable = error else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(error.description.contains("rescans /sys instead"))
        }
    }
}
