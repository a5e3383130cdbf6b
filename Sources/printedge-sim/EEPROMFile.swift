import Glibc
import PrintEdgePOSIX
import PrintEdgeSimulator

/// `--eeprom FILE` on disk: read whole at start (a few hundred bytes), replaced atomically
/// after each M500 so a simulator killed mid-write leaves the old image or the new one.
enum EEPROMFile {
    /// The stored settings; nil when the file does not exist (a blank EEPROM).
    static func load(path: String) throws -> CalibrationSettings? {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.read(path, maxBytes: 1 << 20)
        } catch {
            switch error {
            case .cannotOpen(ENOENT): return nil
            case .cannotOpen(let code): throw FileFailure(operation: "open", path: path, errno: code)
            case .isDirectory, .cannotRead: throw FileFailure(operation: "read", path: path, errno: error.errno)
            case .tooLarge: throw EEPROMImage.Failure(line: 0, message: "larger than 1 MiB: not an EEPROM image")
            }
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
