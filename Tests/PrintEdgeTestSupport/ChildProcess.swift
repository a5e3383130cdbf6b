import Foundation
import Synchronization

/// A long-running child of a test — a simulator, a test HTTP server — started with
/// Foundation's `Process`: its standard output and error collected as they come (on
/// Dispatch's threads), its end awaited through `ProcessExit`. No wait here holds a thread of
/// the cooperative pool, and the child is killed at the latest when the test lets go of it.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let exit: ProcessExit
    private let collected: Collected
    /// Held, never touched once started: it owns the pipe the output comes through.
    private let process: Process

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        exit = ProcessExit(of: process)
        let collected = Collected()
        self.collected = collected
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            // End of file: without this the handler would be called again and again.
            if data.isEmpty { handle.readabilityHandler = nil }
            collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        pid = process.processIdentifier
    }

    /// SIGKILL unless it has exited; Foundation's own thread reaps it.
    deinit {
        if !exit.hasExited { kill(pid, SIGKILL) }
    }

    /// Everything it printed so far.
    public var output: String { collected.text.withLock { $0 } }

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

private final class Collected: Sendable {
    let text = Mutex("")
}
