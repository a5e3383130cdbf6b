#if canImport(Glibc)
import Glibc
#endif

/// The host's processes as `/proc` shows them: what each is, which systemd unit started it,
/// and the files it has open (`/proc/<pid>/fd/*` are links to them, whatever locks were
/// taken: the one way to find every process holding a serial port).
struct HostProcesses: Sendable {
    struct Process: Sendable, Equatable {
        var pid: Int32
        /// `/proc/<pid>/comm`: the executable's name, at most 15 characters.
        var name: String
        /// `/proc/<pid>/cmdline`, its arguments joined by spaces.
        var commandLine: String
        /// The service that started it (`octoprint.service`), from its cgroup; `nil` for a
        /// process of a login session.
        var unit: String?
        /// What its descriptors point at, as the kernel writes the links.
        var openFiles: [String]

        /// "octoprint (pid 812, octoprint.service)".
        var description: String {
            "\(name) (pid \(pid)" + (unit.map { ", \($0)" } ?? "") + ")"
        }
    }

    var processes: [Process]
    /// Processes whose descriptors could not be listed (another user's, without root).
    var unreadable: Int

    init(tree: HostTree) {
        var processes: [Process] = []
        var unreadable = 0
        for entry in tree.entries("/proc") {
            guard let pid = Int32(entry), let name = tree.read("/proc/\(pid)/comm") else { continue }
            let descriptors = tree.entries("/proc/\(pid)/fd")
            if access(tree.real("/proc/\(pid)/fd"), R_OK | X_OK) != 0 { unreadable += 1 }
            let open = descriptors.compactMap { tree.linkTarget("/proc/\(pid)/fd/\($0)") }
            let commandLine = (tree.read("/proc/\(pid)/cmdline") ?? "").split(separator: "\0").joined(separator: " ")
            processes.append(Process(pid: pid, name: name, commandLine: commandLine, unit: Self.unit(tree.read("/proc/\(pid)/cgroup")),
                                     openFiles: open))
        }
        self.processes = processes
        self.unreadable = unreadable
    }

    func named(_ name: String) -> [Process] { processes.filter { $0.name == name } }

    /// Processes with `path` open.
    func holding(_ path: String) -> [Process] { processes.filter { $0.openFiles.contains(path) } }

    /// `0::/system.slice/octoprint.service` → `octoprint.service`: the last `.service` in
    /// the cgroup path (cgroup v2; v1 lists a `name=systemd` hierarchy with the same path).
    private static func unit(_ cgroup: String?) -> String? {
        for line in (cgroup ?? "").split(separator: "\n") {
            guard let path = line.split(separator: ":", maxSplits: 2).last else { continue }
            if let service = path.split(separator: "/").last(where: { $0.hasSuffix(".service") }) { return String(service) }
        }
        return nil
    }
}
