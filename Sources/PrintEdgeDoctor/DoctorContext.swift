#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeConfig
import PrintEdgeCore

/// What every check reads, gathered once: the host under its root, who the daemon runs as,
/// its printers' devices, the processes.
struct DoctorContext: Sendable {
    let configuration: DaemonConfiguration
    let environment: DoctorEnvironment
    let tree: HostTree
    let accounts: AccountDatabase
    let identity: DaemonIdentity
    let ports: [USBSerialPort]
    let devices: [PrinterDevice]
    let processes: HostProcesses
    /// The state directory as an absolute path of the host (a relative one is the working
    /// directory's, as printedged reads it).
    let stateDirectory: String

    init(configuration: DaemonConfiguration, environment: DoctorEnvironment) {
        self.configuration = configuration
        self.environment = environment
        tree = HostTree(root: environment.root)
        accounts = AccountDatabase(tree: tree)
        let invoker = environment.invoker
        identity = DaemonIdentity.find(
            tree: tree, accounts: accounts, stateDirectory: configuration.stateDirectory,
            invoker: DaemonIdentity(user: invoker.user, uid: invoker.uid, gid: invoker.gid, groups: Set(invoker.groups + [invoker.gid]),
                                    source: .invoker))
        ports = PrinterDevice.usbPorts(tree: tree)
        devices = PrinterDevice.find(configuration, tree: tree, ports: ports)
        processes = HostProcesses(tree: tree)
        let configured = configuration.stateDirectory
        stateDirectory = configured.hasPrefix("/") ? configured
            : (tree.isRealRoot ? (Self.workingDirectory() + "/" + configured) : "/" + configured)
    }

    /// How to put `group`'s rights in the daemon's hands, for a fix.
    func joinGroupCommand(_ group: String) -> String {
        switch identity.source {
        case .running, .unit: "sudo usermod -aG \(group) \(identity.user) && sudo systemctl restart printedged"
        case .invoker: "sudo usermod -aG \(group) \(identity.user)   # then log out and in again"
        }
    }

    /// Installs hardware/99-printedge.rules (hardware/README.md).
    static let installUdevRules = "sudo install -m 644 hardware/99-printedge.rules /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger --subsystem-match=tty --action=add"

    private static func workingDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The printers on USB whose device is plugged in now.
    var presentUSBDevices: [(device: PrinterDevice, port: USBSerialPort)] {
        devices.compactMap { device in device.usb.map { (device, $0) } }
    }

    /// udev's record of a device (`/run/udev/data/c<major>:<minor>`), its `E:` properties;
    /// `nil` without udevd.
    func udevProperties(of node: String) -> [String: String]? {
        let name = node.split(separator: "/").last.map(String.init) ?? node
        guard let numbers = tree.read("/sys/class/tty/\(name)/dev"), let record = tree.read("/run/udev/data/c\(numbers)") else { return nil }
        var properties: [String: String] = [:]
        for line in record.split(separator: "\n") where line.hasPrefix("E:") {
            let pair = line.dropFirst(2).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { properties[String(pair[0])] = String(pair[1]) }
        }
        return properties
    }
}
