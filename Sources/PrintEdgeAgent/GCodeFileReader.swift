#if canImport(Glibc)
import Glibc
#endif

/// Reads a G-code file one line at a time through a fixed buffer, so a 100 MB job costs the
/// same memory as a 1 kB one.
public final class GCodeFileReader {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case readFailed(path: String, reason: String)
        case lineTooLong(path: String, sourceLine: Int, limit: Int)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason):
                "cannot open \(path): \(reason)"
            case .readFailed(let path, let reason):
                "reading \(path) failed: \(reason) (a failing SD card or disk?)"
            case .lineTooLong(let path, let line, let limit):
                "\(path) line \(line) is longer than \(limit) bytes: this is not a G-code text file"
            }
        }
    }

    public let path: String
    private let fileDescriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEndOfFile = false
    private var line: [UInt8] = []
    public private(set) var sourceLine = 0
    public private(set) var bytesRead = 0
    /// Longer lines mean a binary or corrupt file; refusing them bounds memory.
    public static let maxRawLineBytes = 64 * 1024

    public init(path: String, bufferSize: Int = 64 * 1024) throws(Failure) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.reason(errno)) }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "it is a directory")
        }
        fileDescriptor = descriptor
        buffer = [UInt8](repeating: 0, count: max(4096, bufferSize))
    }

    deinit {
        close(fileDescriptor)
    }

    /// The file's size in bytes, for progress by bytes.
    public var fileSize: Int {
        var info = stat()
        return fstat(fileDescriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The next raw line without its newline (a trailing CR is kept: the normaliser drops it),
    /// or `nil` at the end of the file. The returned slice is valid until the next call.
    public func nextLine() throws(Failure) -> ArraySlice<UInt8>? {
        line.removeAll(keepingCapacity: true)
        while true {
            if start < end {
                let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n"))
                let stop = newline ?? end
                line.append(contentsOf: buffer[start..<stop])
                if line.count > Self.maxRawLineBytes {
                    throw .lineTooLong(path: path, sourceLine: sourceLine + 1, limit: Self.maxRawLineBytes)
                }
                if let newline {
                    start = newline + 1
                    sourceLine += 1
                    return line[...]
                }
                start = end
            }
            if atEndOfFile {
                if line.isEmpty { return nil }
                sourceLine += 1
                return line[...]
            }
            try fill()
        }
    }

    private func fill() throws(Failure) {
        start = 0
        end = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                read(fileDescriptor, raw.baseAddress, raw.count)
            }
            if count > 0 {
                end = count
                bytesRead += count
                return
            }
            if count == 0 {
                atEndOfFile = true
                return
            }
            if errno == EINTR { continue }
            throw .readFailed(path: path, reason: Self.reason(errno))
        }
    }

    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        default: String(cString: strerror(code))
        }
    }
}
