import Glibc

/// Why a file could not be read, each case with the errno it stands for, so a caller words
/// its own message ("it is a directory, not a TOML file", "larger than 4 MB") or keeps an
/// errno-based one.
public enum FileReadError: Error, Equatable, Sendable {
    case cannotOpen(errno: Int32)
    /// Opening a directory read-only succeeds; this is checked with fstat before reading.
    case isDirectory
    case cannotRead(errno: Int32)
    /// More than `maxBytes`: reading stopped there, the file was not loaded.
    case tooLarge(maxBytes: Int)

    /// The errno behind the failure: EISDIR for a directory, EFBIG for a file too large.
    public var errno: Int32 {
        switch self {
        case .cannotOpen(let code), .cannotRead(let code): code
        case .isDirectory: EISDIR
        case .tooLarge: EFBIG
        }
    }
}

/// Small files read whole with open/read, no Foundation: configuration, secrets, sysfs
/// attributes, spool records, an EEPROM image.
public enum FileContents {
    /// Every byte of `path`; more than `maxBytes` fails with `.tooLarge` without reading the
    /// rest, so a wrong path (a disk image for a config file) is refused, not loaded.
    public static func read(_ path: String, maxBytes: Int = .max) throws(FileReadError) -> [UInt8] {
        try read(path, limit: maxBytes, failingBeyondLimit: true)
    }

    /// At most the first `maxBytes` bytes of `path`: for files only whose start matters (a
    /// sysfs attribute, a secret's first line), which a huge file must not make fail.
    public static func readPrefix(_ path: String, maxBytes: Int) throws(FileReadError) -> [UInt8] {
        try read(path, limit: maxBytes, failingBeyondLimit: false)
    }

    private static func read(_ path: String, limit: Int, failingBeyondLimit: Bool) throws(FileReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(errno: Glibc.errno) }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw .isDirectory }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while failingBeyondLimit || bytes.count < limit {
            let wanted = failingBeyondLimit ? chunk.count : min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                throw .cannotRead(errno: code)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
            if failingBeyondLimit, bytes.count > limit { throw .tooLarge(maxBytes: limit) }
        }
        return bytes
    }
}
