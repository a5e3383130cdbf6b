#if canImport(Glibc)
import Glibc
#endif
import PrintEdgePOSIX

/// The few file system calls configuration loading needs, over Glibc: the daemon reads a
/// handful of small files once at start, so plain `open`/`read` keep this target free of
/// Foundation.
enum ConfigurationFiles {
    /// Configuration files are a few kilobytes; anything this large is not one.
    static let maxFileBytes = 4 << 20

    /// The file's text; fails when it cannot be read or is not UTF-8 (naming the line).
    static func readText(path: String) throws(ConfigurationError) -> String {
        let bytes = try readBytes(path: path)
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let (line, column) = firstInvalidUTF8(in: bytes)
        throw ConfigurationError(
            kind: .unreadableFile, file: path, position: SourcePosition(line: line, column: column),
            message: "the file is not valid UTF-8 text; save it as UTF-8")
    }

    private static func readBytes(path: String) throws(ConfigurationError) -> [UInt8] {
        do {
            return try FileContents.read(path, maxBytes: maxFileBytes)
        } catch {
            switch error {
            case .cannotOpen(let code): throw unreadable(path, "cannot open it: \(reason(code))")
            case .isDirectory: throw unreadable(path, "it is a directory, not a TOML file")
            case .cannotRead(let code): throw unreadable(path, "reading it failed: \(reason(code))")
            case .tooLarge: throw unreadable(path, "it is larger than \(maxFileBytes >> 20) MB; is this the configuration file?")
            }
        }
    }

    private static func unreadable(_ path: String, _ message: String) -> ConfigurationError {
        ConfigurationError(kind: .unreadableFile, file: path, position: nil, message: message)
    }

    /// 1-based line and column (in scalars) of the first byte that is not UTF-8.
    private static func firstInvalidUTF8(in bytes: [UInt8]) -> (line: Int, column: Int) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var line = 1
        var column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .error, .emptyInput:
                return (line, column)
            }
        }
    }

    static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The process's working directory.
    static func currentDirectory() throws(ConfigurationError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else {
            throw ConfigurationError(
                kind: .unreadableFile, file: ".", position: nil,
                message: "cannot determine the working directory: \(reason(errno)); was it deleted?")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` if absolute, else `path` under `directory`.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        if directory.hasSuffix("/") { return directory + path }
        return directory + "/" + path
    }

    /// The directory part of `path` (`.` for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The file name without directories and without its last extension.
    static func stem(of path: String) -> String {
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

extension String? {
    /// The directory given, or the process's working directory when none was.
    func orCurrentDirectory() throws(ConfigurationError) -> String {
        if let self { return self }
        return try ConfigurationFiles.currentDirectory()
    }
}
