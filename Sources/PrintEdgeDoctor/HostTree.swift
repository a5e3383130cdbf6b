#if canImport(Glibc)
import Glibc
#endif
import PrintEdgePOSIX
import PrintEdgeUSB

/// The host's files under a root: `/` itself, or a test's fake tree laid out the same way.
/// Every path given and returned is as the host sees it (`/dev/ttyUSB0`); only the calls
/// add the root. Symbolic links are followed inside the tree: an absolute target starts
/// again at the root, as it would on the host.
struct HostTree: Sendable {
    /// "" for `/`, else the fake tree's directory.
    let root: String

    init(root: String) {
        var trimmed = Substring(root)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.root = String(trimmed)
    }

    var isRealRoot: Bool { root.isEmpty }

    /// Where `path` is on this machine's filesystem.
    func real(_ path: String) -> String { root + path }

    /// The file's text, trailing whitespace trimmed; `nil` when unreadable.
    func read(_ path: String, maxBytes: Int = 64 * 1024) -> String? {
        SysfsFiles.attribute(real(path), maxBytes: maxBytes)
    }

    func entries(_ directory: String) -> [String] { DirectoryListing.names(in: real(directory)) }

    func linkTarget(_ path: String) -> String? { SysfsFiles.linkTarget(real(path)) }

    func exists(_ path: String) -> Bool { resolve(path).flatMap { status(ofResolved: $0) } != nil }

    /// `stat` of the file `path` names, links followed inside the tree.
    func status(_ path: String) -> stat? { resolve(path).flatMap(status(ofResolved:)) }

    /// `path` with every link followed inside the tree; `nil` past 40 links (a loop).
    func resolve(_ path: String) -> String? {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            if let target = SysfsFiles.linkTarget(real(candidate)) {
                hops += 1
                guard hops <= 40 else { return nil }
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
            } else {
                resolved.append(component)
            }
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// A path of this machine's filesystem (`SysfsSerialPorts` gives them) as the host sees it.
    func hostPath(_ realPath: String) -> String {
        guard !root.isEmpty, realPath.hasPrefix(root + "/") else { return realPath }
        return String(realPath.dropFirst(root.count))
    }

    private func status(ofResolved path: String) -> stat? {
        var info = stat()
        return lstat(real(path), &info) == 0 ? info : nil
    }
}
