import Foundation

/// A fresh directory under the system's temporary directory for one test, removed with
/// everything in it when the last reference goes.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        var template = Array("\(NSTemporaryDirectory())printedge-mqtt-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw TestSetupError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `text` to `name` and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let file = file(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
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
}

/// A test fixture that could not be set up (a tool failed, a broker did not start); the
/// message carries the tool's own output.
public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Runs a command line tool to completion; throws with its output when it fails.
@discardableResult
public func runTool(_ executable: String, _ arguments: [String], in directory: String? = nil) async throws -> String {
    let run = try await ToolRun(executable, arguments, in: directory)
    let text = run.standardOutput + run.standardError
    guard run.status == 0 else {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) exited \(run.status): \(text)")
    }
    return text
}
