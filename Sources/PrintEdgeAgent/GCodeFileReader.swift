#if canImport(Glibc)
import Glibc
#endif

/// Reads a G-code file one line at a time through a fixed buffer, so a 100 MB job costs the
/// same memory as a 1 kB one. It can start at any line boundary (a layer start found by
/// `GCodeAnalyzer`) and tells where each line starts, so a print can resume on the exact line.
public final class GCodeFileReader {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case readFailed(path: String, reason: String)
        case lineTooLong(path: String, sourceLine: Int, limit: Int)
        case cannotSeek(path: String, byteOffset: Int, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason):
                "cannot open \(path): \(reason)"
            case .readFailed(let path, let reason):
                "reading \(path) failed: \(reason) (a failing SD card or disk?)"
            case .lineTooLong(let path, let line, let limit):
                "\(path) line \(line) is longer than \(limit) bytes: this is not a G-code text file"
            case .cannotSeek(let path, let offset, let reason):
                "cannot start reading \(path) at byte \(offset): \(reason); analyse the file again (it may have changed since)"
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
    /// 1-based number of the line last returned by `nextLine()`.
    public private(set) var sourceLine = 0
    /// Offset in the file of the first byte of the line last returned by `nextLine()`.
    public private(set) var lineStartOffset = 0
    public private(set) var bytesRead = 0
    /// Offset in the file of `buffer[0]`.
    private var bufferFileOffset = 0
    /// Longer lines mean a binary or corrupt file; refusing them bounds memory.
    public static let maxRawLineBytes = 64 * 1024

    /// Opens `path` for reading from `byteOffset`, which must be the start of a line (a
    /// `GCodeLayer.byteOffset`, or a `lineStartOffset` seen earlier); that line is numbered
    /// `sourceLine` (1-based), and numbering goes on from there.
    public init(path: String, bufferSize: Int = 64 * 1024, startingAt byteOffset: Int = 0, sourceLine: Int = 1) throws(Failure) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.reason(errno)) }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "it is a directory")
        }
        if byteOffset != 0 {
            let size = Int(info.st_size)
            guard byteOffset > 0, byteOffset <= size else {
                close(descriptor)
                throw .cannotSeek(path: path, byteOffset: byteOffset, reason: "the file has \(size) bytes")
            }
            guard lseek(descriptor, off_t(byteOffset), SEEK_SET) >= 0 else {
                let code = errno
                close(descriptor)
                throw .cannotSeek(path: path, byteOffset: byteOffset, reason: Self.reason(code))
            }
        }
        fileDescriptor = descriptor
        buffer = [UInt8](repeating: 0, count: max(4096, bufferSize))
        bufferFileOffset = byteOffset
        lineStartOffset = byteOffset
        self.sourceLine = max(1, sourceLine) - 1
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
        let lineStart = bufferFileOffset + start
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
                    lineStartOffset = lineStart
                    return line[...]
                }
                start = end
            }
            if atEndOfFile {
                if line.isEmpty { return nil }
                sourceLine += 1
                lineStartOffset = lineStart
                return line[...]
            }
            try fill()
        }
    }

    private func fill() throws(Failure) {
        bufferFileOffset += end
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

    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        default: String(cString: strerror(code))
        }
    }
}
