import Glibc
import Testing

/// A fresh directory under /tmp for one test, removed with everything in it afterwards.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        var template = Array("/tmp/printedge-config-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TemporaryDirectoryError(message: "mkdtemp failed: errno \(errno)") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        Self.remove(path)
    }

    /// Writes `text` to `name` (which may contain directories) and returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        var directory = path
        for component in name.split(separator: "/").dropLast() {
            directory += "/\(component)"
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw TemporaryDirectoryError(message: "mkdir \(directory) failed: errno \(errno)")
            }
        }
        guard let stream = fopen(file, "w") else { throw TemporaryDirectoryError(message: "cannot create \(file)") }
        defer { fclose(stream) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, stream) == bytes.count else {
            throw TemporaryDirectoryError(message: "cannot write \(file)")
        }
        return file
    }

    private static func remove(_ path: String) {
        if let stream = opendir(path) {
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                remove("\(path)/\(name)")
            }
            closedir(stream)
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

struct TemporaryDirectoryError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The package's root directory, where `config/` and `hardware/profiles/` are.
let packageRoot: String = {
    var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)  // Tests/PrintEdgeConfigTests/TemporaryDirectory.swift
    return components.joined(separator: "/")
}()
