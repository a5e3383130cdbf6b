import Foundation

/// A fresh directory under the system's temporary directory for one test, removed with
/// everything in it (links removed, not followed) when the last reference goes.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        var template = Array("\(NSTemporaryDirectory())printedge-test-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw TestSetupError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// With `PRINTEDGE_KEEP_SCRATCH` set, the directory stays for reading after the test.
    deinit {
        if ProcessInfo.processInfo.environment["PRINTEDGE_KEEP_SCRATCH"] != nil {
            print("scratch kept: \(path)")
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `text` to `name` (its directories made as needed) and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes `bytes` to `name` (its directories made as needed) and returns the file's path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = file(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
        return file
    }

    /// A new empty file `name`, open for a child's standard output or error.
    public func writingHandle(_ name: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: file(name), contents: nil) else {
            throw TestSetupError("cannot create \(file(name))")
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: file(name)))
    }

    /// What `name` holds so far (a character cut by a write under way shows as U+FFFD); empty
    /// when it does not exist.
    public func read(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: file(name)) ?? Data(), as: UTF8.self)
    }

    /// Makes `name` a symbolic link to `target`, as written (relative, as udev makes them).
    public func link(_ name: String, to target: String) throws {
        guard symlink(target, file(name)) == 0 else {
            throw TestSetupError("symlink \(name) -> \(target) failed: \(String(cString: strerror(errno)))")
        }
    }
}
