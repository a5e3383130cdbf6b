#if canImport(Glibc)
import Glibc
#endif

extension MQTTSettings {
    /// MQTT passwords are at most 65,535 bytes; a larger file is not one.
    public static let maxPasswordBytes = 65_535

    /// The first line of `password_file`, which must not be empty; `nil` without one. Read
    /// by the daemon's preflight and by `printedge doctor`'s broker check, with the rights of
    /// whoever runs them.
    public func password(source: ConfigurationSource) throws(ConfigurationError) -> String? {
        guard let path = passwordFile else { return nil }
        func refusal(_ problem: String) -> ConfigurationError {
            source.error(
                .unusablePath, key: "mqtt.password_file",
                "key `mqtt.password_file`: \(path) \(problem); write the broker password on its first line, readable by printedged's user only (chmod 0600)")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw refusal("cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw refusal("is a directory") }
        let maxPasswordBytes = Self.maxPasswordBytes
        var bytes = [UInt8](repeating: 0, count: maxPasswordBytes + 2)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw refusal("cannot be read (\(String(cString: strerror(errno))))") }
            if count == 0 { break }
            filled += count
        }
        let firstLine = bytes[..<filled].prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        guard firstLine.count <= maxPasswordBytes else { throw refusal("holds more than \(maxPasswordBytes) bytes on its first line, which no MQTT password does") }
        guard !firstLine.isEmpty else { throw refusal("is empty") }
        guard let password = String(validating: firstLine, as: UTF8.self) else { throw refusal("is not UTF-8 text") }
        return password
    }
}
