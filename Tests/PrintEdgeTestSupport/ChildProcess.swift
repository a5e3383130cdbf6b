import Foundation

/// A long-running child of a test — a simulator, a test HTTP server — started with
/// Foundation's `Process`: its standard output and error go to a file read whenever the test
/// looks, its end is awaited through `ProcessExit`. No wait here holds a thread of the
/// cooperative pool, and the child is killed at the latest when the test lets go of it.
///
/// A file, not a pipe read by a Dispatch readability handler: such a handler once never saw
/// the end of a pipe whose writer had exited, and the test waiting for it hung the suite
/// (a Dispatch source on a descriptor number an earlier, closed pipe had used is the likely
/// cause). A file has no end to wait for: once the child has exited, it is complete.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let exit: ProcessExit
    private let files: TemporaryDirectory
    /// Held, never touched once started.
    private let process: Process

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        files = try TemporaryDirectory()
        let output = try files.writingHandle("output")
        process.standardOutput = output
        process.standardError = output
        exit = ProcessExit(of: process)
        try process.run()
        try? output.close()
        pid = process.processIdentifier
    }

    /// SIGKILL unless it has exited; Foundation's own thread reaps it.
    deinit {
        if !exit.hasExited { kill(pid, SIGKILL) }
    }

    /// Everything it printed so far.
    public var output: String { files.read("output") }

    /// Waits until its output holds `text`, as a child says it is ready. Fails when it exits
    /// first, or past `limit` (a hang guard).
    public func waitForOutput(containing text: String, limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + limit
        while !output.contains(text) {
            if exit.hasExited { throw TestSetupError("\(pid) exited before printing \"\(text)\": \(output)") }
            guard ContinuousClock.now < deadline else { throw TestSetupError("\(pid) did not print \"\(text)\" within \(limit): \(output)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends `signal` and returns once the child has exited.
    @discardableResult
    public func stop(with signal: Int32 = SIGTERM) async -> ProcessExit.Outcome {
        if !exit.hasExited { kill(pid, signal) }
        return await exit.wait()
    }
}
