import Glibc
import PrintEdgePOSIX

/// The GPIO chips of this machine, as `/dev/gpiochip*` nodes, and the one a label names.
///
/// Labels are how configuration names chips, because numbers are not stable: a Raspberry
/// Pi 5's header chip (`pinctrl-rp1`) was gpiochip4 on its first kernels and is gpiochip0
/// since Raspberry Pi OS's 6.6.47, which leaves /dev/gpiochip4 as a symlink to it.
public struct GPIOChipDirectory {
    public var directory: String
    /// Opens one node; tests substitute chips backed by a recording device.
    public var open: (String) throws(GPIOError) -> GPIOChip

    public init(
        directory: String = "/dev",
        open: @escaping (String) throws(GPIOError) -> GPIOChip = { path throws(GPIOError) in try GPIOChip(path: path) }
    ) {
        self.directory = directory
        self.open = open
    }

    /// The `gpiochipN` nodes in numeric order; a symlink to a node already listed (the Pi
    /// 5's compatibility gpiochip4) is left out, so no chip appears twice.
    public func chipPaths() -> [String] {
        var nodes: [(number: Int, path: String, isLink: Bool, identity: FileIdentity)] = []
        for name in DirectoryListing.names(in: directory) {
            guard name.hasPrefix("gpiochip"), let number = Int(name.dropFirst("gpiochip".count)) else { continue }
            let path = "\(directory)/\(name)"
            var target = stat()
            var link = stat()
            guard stat(path, &target) == 0, lstat(path, &link) == 0 else { continue }
            nodes.append((number, path, (link.st_mode & S_IFMT) == S_IFLNK, FileIdentity(device: UInt64(target.st_dev), inode: UInt64(target.st_ino))))
        }
        // Real nodes first, so that of a node and its alias the node is kept.
        nodes.sort { ($0.isLink ? 1 : 0, $0.number) < ($1.isLink ? 1 : 0, $1.number) }
        var seen: Set<FileIdentity> = []
        return nodes.filter { seen.insert($0.identity).inserted }.sorted { $0.number < $1.number }.map(\.path)
    }

    /// Every chip, opened, in numeric order.
    public func chips() throws(GPIOError) -> [GPIOChip] {
        let paths = chipPaths()
        guard !paths.isEmpty else { throw .noChips(directory: directory) }
        var chips: [GPIOChip] = []
        for path in paths { chips.append(try open(path)) }
        return chips
    }

    /// The chip `identifier` names: a path (`/dev/gpiochip0`), a kernel name (`gpiochip0`),
    /// or — preferred — a label (`pinctrl-rp1`).
    public func chip(_ identifier: String) throws(GPIOError) -> GPIOChip {
        if identifier.contains("/") { return try open(identifier) }
        if identifier.hasPrefix("gpiochip"), Int(identifier.dropFirst("gpiochip".count)) != nil {
            return try open("\(directory)/\(identifier)")
        }
        let paths = chipPaths()
        guard !paths.isEmpty else { throw .noChips(directory: directory) }
        var available: [String] = []
        var unreadable: GPIOError?
        for path in paths {
            let chip: GPIOChip
            do {
                chip = try open(path)
            } catch {
                unreadable = unreadable ?? error
                continue
            }
            if chip.label == identifier { return chip }
            available.append("\(chip.title) (\(chip.lineCount) lines)")
        }
        // A chip that could not be opened may be the one: say why, rather than "not found".
        if let unreadable { throw unreadable }
        throw .chipNotFound(label: identifier, available: available)
    }

    /// The chip and offset of the line called `name`, searching every chip. Line names are
    /// unique on a Raspberry Pi, though not guaranteed so: a name found twice is an error
    /// rather than the first match gpiofind would take, since the other one may be the line
    /// that was meant.
    public func line(named name: String) throws(GPIOError) -> (chip: GPIOChip, offset: UInt32) {
        let chips = try chips()
        var matches: [(chip: GPIOChip, offset: UInt32)] = []
        var names: [String] = []
        for chip in chips {
            let lines = try chip.lines()
            matches += lines.filter { $0.name == name }.map { (chip, $0.offset) }
            names += lines.map(\.name)
        }
        guard matches.count <= 1 else {
            throw .ambiguousLineName(name: name, lines: matches.map { "line \($0.offset) on \($0.chip.title)" })
        }
        if let match = matches.first { return match }
        throw .lineNotFound(chip: chips.map(\.title).joined(separator: ", "), name: name, suggestion: GPIOChip.suggestion(for: name, among: names))
    }

    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }
}
