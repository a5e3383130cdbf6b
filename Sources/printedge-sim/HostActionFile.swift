import Glibc

/// `--host-action-file`: the printer's own screen, for a test or a demo. Every line appended
/// to the file is a button pressed on it: the simulator sends `//action:<line>`, as Marlin
/// does when someone pauses, resumes or cancels on the printer during a host print.
///
/// A plain file rather than a FIFO or a signal: appending works from any language or shell
/// (`echo pause >> FILE`), the simulator may start before or after the file exists, and
/// nothing blocks either side. It is read from where the last read stopped; a line without its
/// newline yet waits for it.
struct HostActionFile {
    let path: String
    private var offset = 0
    private var partial: [UInt8] = []

    init(path: String) {
        self.path = path
    }

    /// The lines completed since the last call; none while the file does not exist.
    mutating func newLines() throws -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw FileFailure(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var lines: [String] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileFailure(operation: "read", path: path, errno: errno)
            }
            if count == 0 { return lines }
            offset += count
            for byte in buffer[..<count] {
                if byte == UInt8(ascii: "\n") {
                    let line = String(decoding: partial, as: UTF8.self).trimmingSpaces()
                    if !line.isEmpty { lines.append(line) }
                    partial.removeAll(keepingCapacity: true)
                } else {
                    partial.append(byte)
                }
            }
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
