import Glibc
import PrintEdgeSimulator

/// `--eeprom FILE` on disk: read whole at start (a few hundred bytes), replaced atomically
/// after each M500 so a simulator killed mid-write leaves the old image or the new one.
enum EEPROMFile {
    /// The stored settings; nil when the file does not exist (a blank EEPROM).
    static func load(path: String) throws -> CalibrationSettings? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw FileFailure(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileFailure(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            bytes += buffer.prefix(count)
            if bytes.count > 1 << 20 { throw EEPROMImage.Failure(line: 0, message: "larger than 1 MiB: not an EEPROM image") }
        }
        return try EEPROMImage.decode(String(decoding: bytes, as: UTF8.self))
    }

    static func store(_ image: String, path: String) throws {
        try AppendOnlyFile.replaceContents(of: path, with: image)
    }
}

/// Writes to stderr unbuffered, so a message comes before the exit.
enum FileHandleStandardError {
    static func write(_ text: String) {
        var text = text
        _ = text.withUTF8 { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
