import Foundation
import PrintEdgeConfig
import PrintEdgeControl
@testable import PrintEdgeDoctor
import PrintEdgeTestSupport

/// A printer host laid out under a temporary root for the doctor: `FakeDeviceTree`'s `/sys`
/// and `/dev`, plus the accounts, the unit, `/proc` and `/run` a test asks for. The daemon's
/// user is `printedge` (uid 4242); `dialout` is a group the test process may give its files.
struct FakeHost: ~Copyable {
    let tree: FakeDeviceTree
    /// A group the test can chown its files to (root may pick any; others only their own).
    let dialout: UInt32 = geteuid() == 0 ? 20 : getegid()
    let printedge: UInt32 = 4242

    static let ch340ByID = "usb-1a86_USB2.0-Serial-if00-port0"
    static func ch340ByPath(_ port: Int) -> String { "platform-3f980000.usb-usb-0:1.\(port):1.0-port0" }
    static let prusaByID = "usb-Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_CZPX1234-if00"

    init(supplementaryGroups: String = "dialout gpio") throws {
        let tree = try FakeDeviceTree()
        let dialout = self.dialout
        let printedge = self.printedge
        try tree.write("/etc/passwd", """
            root:x:0:0:root:/root:/bin/bash
            printedge:x:\(printedge):\(printedge):printedge printer daemon:/var/lib/printedge:/usr/sbin/nologin
            ann:x:1000:1000::/home/ann:/bin/bash
            """)
        try tree.write("/etc/group", """
            root:x:0:
            dialout:x:\(dialout):ann
            gpio:x:997:ann
            printedge:x:\(printedge):
            """)
        try tree.write("/etc/systemd/system/printedged.service", """
            [Unit]
            Description=printedge printer daemon

            [Service]
            Type=notify
            User=printedge
            Group=printedge
            SupplementaryGroups=\(supplementaryGroups)
            """)
        self.tree = tree
    }

    /// A CH340 board (a Creality printer's) in USB socket `socket`, as tty `name`; its node a
    /// plain file of mode `mode` in the `dialout` group (a real one needs mknod).
    func plugCH340(_ name: String = "ttyUSB0", socket: Int = 2, mode: mode_t = 0o660, byID: Bool = true) throws {
        try tree.addUSBSerial(name: name, usbPath: "1-1/1-1.\(socket)", vendorID: "1a86", productID: "7523", manufacturer: nil,
                              product: "USB2.0-Serial", serial: nil, driver: "ch341", portDriver: "ch341-uart",
                              byID: byID ? Self.ch340ByID : nil, byPath: Self.ch340ByPath(socket))
        try node(name, mode: mode)
    }

    /// An Original Prusa MK3's Einsy (native CDC ACM, with a serial number) as `ttyACM0`.
    func plugPrusa(mode: mode_t = 0o660) throws {
        try tree.addCDCACM(name: "ttyACM0", usbPath: "1-1/1-1.3", vendorID: "2c99", productID: "0002", manufacturer: "Prusa Research (prusa3d.com)",
                           product: "Original Prusa i3 MK3", serial: "CZPX1234", byID: Self.prusaByID, byPath: "platform-3f980000.usb-usb-0:1.3:1.0")
        try node("ttyACM0", mode: mode)
    }

    func node(_ name: String, mode: mode_t) throws {
        try tree.write("/dev/\(name)", "", mode: mode)
        guard chown(tree.path("/dev/\(name)"), geteuid(), dialout) == 0 else { throw FakeTreeError("chown /dev/\(name): errno \(errno)") }
    }

    /// A process in `/proc`: its name, unit, and descriptors pointing at `files`.
    func process(_ pid: Int32, _ name: String, unit: String? = nil, files: [String] = [], status: String? = nil) throws {
        try tree.write("/proc/\(pid)/comm", name + "\n")
        try tree.write("/proc/\(pid)/cmdline", "/usr/bin/\(name)\0--serve\0")
        try tree.write("/proc/\(pid)/cgroup", "0::/system.slice/" + (unit ?? "session-3.scope") + "\n")
        if let status { try tree.write("/proc/\(pid)/status", status) }
        try FileManager.default.createDirectory(atPath: tree.path("/proc/\(pid)/fd"), withIntermediateDirectories: true)
        for (index, file) in files.enumerated() { try tree.link("/proc/\(pid)/fd/\(index + 3)", target: file) }
    }

    /// udev's record of tty `name` (`/run/udev/data/c166:0`, the number the fake tree gives
    /// every tty) with these properties.
    func udevRecord(_ properties: [String: String]) throws {
        try tree.write("/run/udev/data/c166:0", properties.sorted { $0.key < $1.key }.map { "E:\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n")
    }

    /// printedge.toml with `text` (printers, `[mqtt]`…) after a state directory under the
    /// root; without a `[[printer]]` in it, one virtual printer (a configuration needs one).
    func configuration(_ text: String) throws -> DaemonConfiguration {
        let printers = text.contains("[[printer]]") ? "" : "[[printer]]\nid = \"sim\"\nvirtual = true\n\n"
        let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("hardware/profiles").path
        let file = tree.path("/etc/printedge/printedge.toml")
        try tree.write("/etc/printedge/printedge.toml", """
            [daemon]
            state_directory = "/var/lib/printedge"
            profile_directories = ["\(profiles)"]

            \(printers)\(text)
            """)
        return try DaemonConfiguration.load(path: file)
    }

    func environment(clock: DoctorEnvironment.ClockState = .synchronised, nowMS: Int64 = 1_760_000_000_000,
                     free: HealthVerdict.DiskSpace? = .init(availableBytes: 20 << 30, totalBytes: 30 << 30)) -> DoctorEnvironment {
        DoctorEnvironment(root: tree.root, clock: { clock }, nowMS: { nowMS }, freeSpace: { _ in free },
                          invoker: .init(user: "ann", uid: 1000, gid: 1000, groups: [1000]), brokerTimeout: .seconds(30))
    }

    /// The findings of `check` for this host.
    func findings(_ check: String, _ configuration: DaemonConfiguration, environment: DoctorEnvironment? = nil) async -> [DoctorFinding] {
        await Doctor(configuration: configuration, environment: environment ?? self.environment()).findings().filter { $0.check == check }
    }
}

/// One printer on `port`.
func printerOn(_ port: String, id: String = "ender") -> String {
    """
    [[printer]]
    id = "\(id)"
    port = "\(port)"
    profile = "marlin-generic"

    """
}
