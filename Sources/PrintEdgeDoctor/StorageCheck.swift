import Foundation

import PrintEdgeControl

/// Where the database lives can be written, and will stay so: free space against the
/// health verdict's thresholds, a filesystem remounted read-only (ext4 does so after I/O
/// errors, `errors=remount-ro`, the usual end of a failing SD card), the errors ext4 has
/// recorded, and files the daemon's user does not own (printedged run once as root).
struct StorageCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let directory = context.stateDirectory
        var existing = directory
        while !context.tree.exists(existing), existing != "/" { existing = parent(existing) }
        var findings = [space(context, directory: directory, measured: existing)]
        let mount = Self.mount(containing: context.tree.resolve(existing) ?? existing, context.tree)
        findings.append(readOnly(mount, directory: directory))
        findings.append(errors(mount, context.tree))
        findings.append(ownership(context, directory: directory))
        return findings
    }

    private func space(_ context: DoctorContext, directory: String, measured: String) -> DoctorFinding {
        guard let disk = context.environment.freeSpace(context.tree.real(measured)) else {
            return DoctorFinding("storage.space", subject: directory, .notApplicable, "the free space of \(measured) cannot be read")
        }
        let thresholds = HealthVerdict.Thresholds()
        let found = "\(ByteCount(disk.availableBytes)) free of \(ByteCount(disk.totalBytes))"
        let fix = "free space there (`sudo journalctl --vacuum-size=100M`, old backups, `sudo apt clean`), or lower [retention] max_database_mb"
        if disk.availableBytes < 16 << 20 {
            return DoctorFinding("storage.space", subject: directory, .problem, found + ": the database cannot grow; printing goes on with its events held in memory", fix: fix)
        }
        let fraction = disk.totalBytes > 0 ? Double(disk.availableBytes) / Double(disk.totalBytes) : 0
        if disk.availableBytes < thresholds.minimumFreeBytes || fraction < thresholds.minimumFreeFraction {
            return DoctorFinding("storage.space", subject: directory, .warning,
                                 found + ", below \(ByteCount(thresholds.minimumFreeBytes)) or \(Int(thresholds.minimumFreeFraction * 100))% (`printedge health` says degraded)", fix: fix)
        }
        return DoctorFinding("storage.space", subject: directory, .ok, found)
    }

    struct Mount: Equatable {
        var point: String
        var source: String
        var type: String
        var readOnly: Bool
    }

    /// The mount holding `path` in `/proc/self/mountinfo` (proc(5)): the longest mount point
    /// that is a prefix of it; the last such line wins, as mounts stack.
    static func mount(containing path: String, _ tree: HostTree) -> Mount? {
        var best: Mount?
        for line in (tree.read("/proc/self/mountinfo", maxBytes: 4 << 20) ?? "").split(separator: "\n") {
            let halves = line.split(separator: " - ", maxSplits: 1)
            let fields = halves.first?.split(separator: " ") ?? []
            let tail = halves.count == 2 ? halves[1].split(separator: " ") : []
            guard fields.count >= 6, tail.count >= 3 else { continue }
            let point = unescape(fields[4])
            let within = point == "/" || path == point || path.hasPrefix(point + "/")
            guard within, point.count >= (best?.point.count ?? 0) else { continue }
            let options = fields[5].split(separator: ",") + tail[2].split(separator: ",")
            best = Mount(point: point, source: String(tail[1]), type: String(tail[0]), readOnly: options.contains("ro"))
        }
        return best
    }

    private func readOnly(_ mount: Mount?, directory: String) -> DoctorFinding {
        guard let mount else { return DoctorFinding("storage.readonly", subject: directory, .notApplicable, "/proc/self/mountinfo cannot be read") }
        guard mount.readOnly else {
            return DoctorFinding("storage.readonly", subject: directory, .ok, "on \(mount.point) (\(mount.source), \(mount.type)), mounted read-write")
        }
        return DoctorFinding("storage.readonly", subject: directory, .problem,
                             "on \(mount.point) (\(mount.source), \(mount.type)), mounted read-only: the database takes no writes",
                             fix: "sudo dmesg | grep -i -e 'I/O error' -e ext4 -e mmc   # a card remounted after errors is failing: back it up (printedge backup FILE), replace it; "
                                 + "if it was only full or mounted so by hand: sudo mount -o remount,rw \(mount.point)")
    }

    private func errors(_ mount: Mount?, _ tree: HostTree) -> DoctorFinding {
        guard let mount, mount.type == "ext4" else {
            return DoctorFinding("storage.errors", .notApplicable, "the state directory is not on ext4\(mount.map { " (\($0.type))" } ?? ""): no error count to read")
        }
        let device = mount.source.split(separator: "/").last.map(String.init) ?? mount.source
        guard let text = tree.read("/sys/fs/ext4/\(device)/errors_count"), let count = Int(text) else {
            return DoctorFinding("storage.errors", subject: mount.source, .notApplicable, "/sys/fs/ext4/\(device)/errors_count cannot be read")
        }
        guard count > 0 else { return DoctorFinding("storage.errors", subject: mount.source, .ok, "ext4 has recorded no error") }
        let last = tree.read("/sys/fs/ext4/\(device)/last_error_func").map { ", the last in \($0)" } ?? ""
        return DoctorFinding("storage.errors", subject: mount.source, .warning,
                             "ext4 has recorded \(count) error(s) since the filesystem was made\(last): the card may be failing",
                             fix: "sudo tune2fs -l \(mount.source) | grep -i error; back the database up now: printedge backup FILE")
    }

    private func ownership(_ context: DoctorContext, directory: String) -> DoctorFinding {
        guard context.tree.exists(directory) else {
            return DoctorFinding("storage.ownership", subject: directory, .ok, "does not exist yet: printedged creates it at its first start")
        }
        let identity = context.identity
        let files = [directory] + ["printedge.sqlite", "printedge.sqlite-wal", "printedge.sqlite-shm", "printedged.lock"].map { "\(directory)/\($0)" }
        let foreign = files.compactMap { file -> String? in
            guard let info = context.tree.status(file), UInt32(info.st_uid) != identity.uid else { return nil }
            return "\(file) (\(context.accounts.user(uid: UInt32(info.st_uid))?.name ?? String(info.st_uid)))"
        }
        guard !identity.isRoot, !foreign.isEmpty else {
            return DoctorFinding("storage.ownership", subject: directory, .ok, "\(identity.user) owns it and the database")
        }
        let group = context.accounts.groupName(identity.gid)
        return DoctorFinding("storage.ownership", subject: directory, .problem,
                             "printedged runs as \(identity.user), but does not own \(foreign.joined(separator: ", ")): it cannot write its database (was it started as root once?)",
                             fix: "sudo chown -R \(identity.user):\(group) \(directory)")
    }

    /// mountinfo writes a space as `\040`, a tab `\011`, a newline `\012`, a backslash `\134`.
    private static func unescape(_ field: Substring) -> String {
        field.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
            .replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
    }

    private func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
