import Glibc

/// A fresh directory under /tmp for one test, removed with everything in it afterwards.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        var template = Array("/tmp/printedge-gpio-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TemporaryDirectoryError(message: "mkdtemp failed: errno \(errno)") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if let stream = opendir(path) {
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(stream)
        }
        rmdir(path)
    }

    /// Writes `text` to the file `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        guard let stream = fopen(file, "w") else { throw TemporaryDirectoryError(message: "cannot create \(file)") }
        defer { fclose(stream) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, stream) == bytes.count else { throw TemporaryDirectoryError(message: "cannot write \(file)") }
        return file
    }

    /// Makes `name` a symbolic link to `target` (relative, as udev makes them).
    func link(_ name: String, to target: String) throws {
        guard symlink(target, "\(path)/\(name)") == 0 else { throw TemporaryDirectoryError(message: "symlink \(name) failed: errno \(errno)") }
    }
}

struct TemporaryDirectoryError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
