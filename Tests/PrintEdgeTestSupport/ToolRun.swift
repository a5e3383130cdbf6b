import Foundation
import Synchronization

/// A command line tool (or one of ours: `printedge`, `printedged --check-config`) run to its
/// end, with its exit status and what it wrote.
///
/// Nothing here holds a thread: the exit comes through `ProcessExit`, and the output goes to
/// files read once the tool has exited — no pipe to read to its end, which a child started
/// meanwhile by another test could keep open.
public struct ToolRun: Sendable {
    public var status: Int32
    public var reason: Process.TerminationReason
    public var standardOutput: String
    public var standardError: String
    /// The tool still ran at `limit` and was sent SIGTERM.
    public var timedOut: Bool

    /// Runs `executable` with `input` on its standard input (none: /dev/null); past `limit`
    /// (a hang guard) it gets SIGTERM. `whileRunning` gets its PID once it has started, e.g.
    /// to send it a signal.
    public init(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
                input: String? = nil, limit: Duration = .seconds(300), whileRunning: (@Sendable (pid_t) async -> Void)? = nil) async throws {
        let files = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let output = try files.writingHandle("stdout")
        let errors = try files.writingHandle("stderr")
        process.standardOutput = output
        process.standardError = errors
        if let input {
            process.standardInput = FileHandle(forReadingAtPath: try files.write("stdin", input))
        }
        let exit = ProcessExit(of: process)
        try process.run()
        try? output.close()
        try? errors.close()
        let pid = process.processIdentifier
        let timedOut = Atomic(false)
        let hangGuard = Task {
            guard (try? await Task.sleep(for: limit)) != nil, !exit.hasExited else { return }
            timedOut.store(true, ordering: .relaxed)
            kill(pid, SIGTERM)
        }
        await whileRunning?(pid)
        let outcome = await exit.wait()
        hangGuard.cancel()
        status = outcome.status
        reason = outcome.reason
        standardOutput = files.read("stdout")
        standardError = files.read("stderr")
        self.timedOut = timedOut.load(ordering: .relaxed)
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
