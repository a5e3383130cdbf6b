import Glibc

/// A file the simulator writes its reports to, with errno turned into a message.
struct AppendOnlyFile {
    private let fileDescriptor: Int32
    let path: String

    /// Creates or truncates the file.
    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileFailure(operation: "open", path: path, errno: errno) }
        fileDescriptor = fd
        self.path = path
    }

    func append(_ text: String) throws {
        var text = text
        try text.withUTF8 { bytes in
            try AppendOnlyFile.writeAll(fileDescriptor, bytes, path: path)
        }
    }

    /// Writes `text` to `path` through a temporary file renamed over it.
    static func replaceContents(of path: String, with text: String) throws {
        let temporary = "\(path).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileFailure(operation: "open", path: temporary, errno: errno) }
        var text = text
        do {
            try text.withUTF8 { bytes in try writeAll(fd, bytes, path: temporary) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw FileFailure(operation: "rename", path: path, errno: errno) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let written = write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileFailure(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }
}

struct FileFailure: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var errno: Int32

    var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}
