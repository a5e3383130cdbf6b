#if canImport(Glibc)
import Glibc
#endif

/// Who printedged runs as, and so which devices and files it can open: the running daemon's
/// own credentials when one holds the state directory (`/proc/<pid>/status`, what the kernel
/// checks), else what its systemd unit gives it (`User=`, `Group=`, `SupplementaryGroups=`,
/// drop-ins included, plus the user's groups in `/etc/group`), else the person running the
/// doctor (printedged started by hand).
struct DaemonIdentity: Sendable, Equatable {
    enum Source: Sendable, Equatable {
        case running(pid: Int32)
        case unit(path: String)
        case invoker
    }

    var user: String
    var uid: UInt32
    var gid: UInt32
    /// Every group the process has, its primary group among them.
    var groups: Set<UInt32>
    var source: Source

    var isRoot: Bool { uid == 0 }

    /// Whether this identity may open a file of this status for reading and writing.
    func canReadWrite(_ info: stat) -> Bool {
        if isRoot { return true }
        let mode = UInt32(info.st_mode)
        if UInt32(info.st_uid) == uid { return mode & 0o600 == 0o600 }
        if groups.contains(UInt32(info.st_gid)) { return mode & 0o060 == 0o060 }
        return mode & 0o006 == 0o006
    }

    /// "printedged (pid 812) runs as printedge (groups printedge, dialout, gpio)".
    func description(_ accounts: AccountDatabase) -> String {
        let names = groups.sorted().map(accounts.groupName).joined(separator: ", ")
        let who = "\(user) (groups \(names.isEmpty ? "none" : names))"
        switch source {
        case .running(let pid): return "printedged (pid \(pid)) runs as \(who)"
        case .unit(let path): return "\(path) runs printedged as \(who)"
        case .invoker: return "no printedged runs and no unit installs it: started by hand it would run as you, \(who)"
        }
    }

    static let unitPaths = ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                            "/usr/lib/systemd/system", "/lib/systemd/system"].map { $0 + "/printedged.service" }

    static func find(tree: HostTree, accounts: AccountDatabase, stateDirectory: String, invoker: DaemonIdentity) -> DaemonIdentity {
        if let pid = runningDaemon(tree: tree, stateDirectory: stateDirectory), let identity = credentials(of: pid, tree: tree, accounts: accounts) {
            return identity
        }
        if let unit = unitPaths.first(where: tree.exists), let identity = fromUnit(unit, tree: tree, accounts: accounts) {
            return identity
        }
        return invoker
    }

    /// The pid written in the state directory's lock, if that process is a printedged.
    static func runningDaemon(tree: HostTree, stateDirectory: String) -> Int32? {
        guard let text = tree.read(stateDirectory + "/printedged.lock"), let pid = Int32(text),
              tree.read("/proc/\(pid)/comm") == "printedged" else { return nil }
        return pid
    }

    private static func credentials(of pid: Int32, tree: HostTree, accounts: AccountDatabase) -> DaemonIdentity? {
        guard let status = tree.read("/proc/\(pid)/status") else { return nil }
        var values: [String: [UInt32]] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, ["Uid", "Gid", "Groups"].contains(parts[0]) else { continue }
            values[String(parts[0])] = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
        }
        // Uid: real, effective, saved, filesystem: the kernel checks files against the last.
        guard let uid = values["Uid"]?.last, let gid = values["Gid"]?.last else { return nil }
        return DaemonIdentity(user: accounts.user(uid: uid)?.name ?? String(uid), uid: uid, gid: gid,
                              groups: Set(values["Groups"] ?? []).union([gid]), source: .running(pid: pid))
    }

    private static func fromUnit(_ path: String, tree: HostTree, accounts: AccountDatabase) -> DaemonIdentity? {
        var user = "root"
        var group: String?
        var supplementary: [String] = []
        for file in [path] + dropIns(tree: tree) {
            var inService = false
            for rawLine in (tree.read(file) ?? "").split(separator: "\n") {
                let line = rawLine.trimmingBlanks()
                if line.hasPrefix("[") { inService = line == "[Service]" }
                guard inService, let equals = line.firstIndex(of: "=") else { continue }
                let value = line[line.index(after: equals)...].trimmingBlanks()
                switch line[..<equals].trimmingBlanks() {
                // Without User=, a system service runs as root.
                case "User": user = value.isEmpty ? "root" : value
                case "Group": group = value.isEmpty ? nil : value
                // Cumulative; an empty assignment resets the list (systemd.exec(5)).
                case "SupplementaryGroups": supplementary = value.isEmpty ? [] : supplementary + value.split(separator: " ").map(String.init)
                default: break
                }
            }
        }
        let account = accounts.user(named: user) ?? (user == "root" ? AccountDatabase.User(name: "root", uid: 0, gid: 0) : nil)
        guard let account else { return nil }
        let primary = group.flatMap { accounts.group(named: $0)?.gid } ?? account.gid
        let extra = supplementary.compactMap { accounts.group(named: $0)?.gid }
        return DaemonIdentity(user: account.name, uid: account.uid, gid: primary,
                              groups: Set([primary] + extra + accounts.memberships(of: account.name)), source: .unit(path: path))
    }

    /// `printedged.service.d/*.conf` of every unit directory, in systemd's order: by file
    /// name, a name in an earlier directory (`/etc` first) hiding the same one later.
    private static func dropIns(tree: HostTree) -> [String] {
        var byName: [String: String] = [:]
        for unit in unitPaths {
            let directory = unit + ".d"
            for name in tree.entries(directory) where name.hasSuffix(".conf") && byName[name] == nil {
                byName[name] = "\(directory)/\(name)"
            }
        }
        return byName.sorted { $0.key < $1.key }.map(\.value)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
