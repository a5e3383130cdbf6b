#if canImport(Glibc)
import Glibc
#endif
import PrintEdgePOSIX

/// The few file system calls the sysfs fallback needs, and `printedge doctor` with it. Every
/// failure reads as "absent": sysfs attributes and `/dev` links vanish whenever a device is
/// unplugged mid-scan, and a device that cannot be described is simply not a candidate this
/// time.
public enum SysfsFiles {
    /// An attribute file's text without its trailing newline and padding (sysfs strings end
    /// in `\n`; udev strips trailing whitespace the same way), at most `maxBytes` of it;
    /// `nil` when unreadable.
    public static func attribute(_ path: String, maxBytes: Int = 64 * 1024) -> String? {
        guard var bytes = try? FileContents.readPrefix(path, maxBytes: maxBytes) else { return nil }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == 0 {
            bytes.removeLast()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A symbolic link's target as written (often relative); `nil` if `path` is not a link.
    public static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The canonical absolute path, every link resolved; `nil` if it does not exist.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `target` read from inside `directory`, with `.` and `..` folded away lexically (the
    /// target need not exist: a `/dev` link can outlive its device node for a moment).
    public static func resolve(_ target: String, from directory: String) -> String {
        let joined = target.hasPrefix("/") ? target : directory + "/" + target
        var components: [Substring] = []
        for component in joined.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The last path component.
    public static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The path without its last component.
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
