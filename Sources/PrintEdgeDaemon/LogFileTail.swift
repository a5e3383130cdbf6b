#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeAgent

/// The last lines of a log file, read from its end: a serial log of 10 MB is never read whole
/// to show its last hundred lines.
enum LogFileTail {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// At most `count` lines, oldest first; a longer line than the window is cut at its start.
    static func lines(_ count: Int, of path: String, window: Int = 256 << 10) throws(Failure) -> [String] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: GCodeFileReader.reason(errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(description: GCodeFileReader.reason(errno)) }
        let size = Int(status.st_size)
        let start = max(0, size - window)
        var bytes = [UInt8](repeating: 0, count: size - start)
        var done = 0
        while done < bytes.count {
            let read = bytes[done...].withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(start + done)) }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { break }
            done += read
        }
        var lines = bytes[..<done].split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        if start > 0, !lines.isEmpty { lines.removeFirst() }  // begins mid-line
        return Array(lines.suffix(max(0, count)))
    }
}
