#if canImport(Glibc)
import Glibc
#endif
import PrintEdgePOSIX

/// A file holding one secret (a broker password, a bearer token) on its first line, read
/// with the rights of whoever reads it: the daemon's preflight, `printedge doctor`.
public enum SecretFile {
    /// The file's first line, which must not be empty nor longer than `maxBytes`. At most
    /// `maxBytes + 2` bytes are read, so a huge file is refused without being loaded.
    /// `what` names the secret in a refusal, `advice` says what the file should hold.
    public static func firstLine(at path: String, source: ConfigurationSource, key: String, maxBytes: Int, what: String,
                                 advice: String) throws(ConfigurationError) -> String {
        func refusal(_ problem: String) -> ConfigurationError {
            source.error(
                .unusablePath, key: key,
                "key `\(key)`: \(path) \(problem); \(advice), readable by printedged's user only (chmod 0600)")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileContents.readPrefix(path, maxBytes: maxBytes + 2)
        } catch {
            if error == .isDirectory { throw refusal("is a directory") }
            throw refusal("cannot be read (\(String(cString: strerror(error.errno))))")
        }
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        guard firstLine.count <= maxBytes else { throw refusal("holds more than \(maxBytes) bytes on its first line, which no \(what) does") }
        guard !firstLine.isEmpty else { throw refusal("is empty") }
        guard let secret = String(validating: firstLine, as: UTF8.self) else { throw refusal("is not UTF-8 text") }
        return secret
    }
}
