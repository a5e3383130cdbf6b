import Foundation
import Testing

/// A `printedge` left running while the test acts (a `jobs follow`, a `watch`): its standard
/// output is read as it comes, so a test sees what a pipe reader sees before the command ends.
final class BackgroundCommand {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let collected = Lines()

    init(_ arguments: [String]) throws {
        process.executableURL = productsDirectory.appendingPathComponent("printedge")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        let collected = collected
        output.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
        try process.run()
    }

    deinit {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Lines read so far.
    var lines: [String] { collected.lines }

    /// Waits (a hang guard, not a timing expectation) until a line satisfies `condition`.
    @discardableResult
    func waitForLine(_ what: String, limit: Duration = .seconds(120), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let line = lines.first(where: condition) { return line }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no line showed \(what): \(lines)")
        throw SimulatorError(description: "gave up waiting for \(what)")
    }

    /// Waits for the command to end; its status and standard error.
    func finish(limit: Duration = .seconds(240)) async -> (status: Int32, standardError: String) {
        if await !waitForExit(of: process, limit: limit) { Issue.record("still running after \(limit)") }
        output.fileHandleForReading.readabilityHandler = nil
        collected.append(output.fileHandleForReading.readDataToEndOfFile())
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    private final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var partial = Data()
        private var complete: [String] = []

        func append(_ data: Data) {
            lock.withLock {
                partial.append(data)
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    complete.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
                    partial.removeSubrange(partial.startIndex...newline)
                }
            }
        }

        var lines: [String] { lock.withLock { complete } }
    }
}
