#if canImport(Glibc)
import Glibc
#endif

enum FileSystemPath {
    /// The daemon resolves paths in its own working directory: the CLI sends absolute ones.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
