import Foundation
import PrintEdgeTestSupport
import Testing

/// `printedge calibrate … --json` with a person at the keyboard, scripted: its events are read
/// as they come (one JSON object a line on standard output), and answers are written to its
/// standard input when the test decides, from what the printer (the simulator's logs) shows.
/// Nothing here holds a thread while it waits: the end comes through `ProcessExit`, and the
/// output goes to files (as `ChildProcess` says why), read whenever the test looks.
final class CalibrationOperator: Sendable {
    private let process: Process
    private let input: FileHandle
    private let exit: ProcessExit
    private let files: TemporaryDirectory
    let pid: pid_t

    init(_ arguments: [String], socket: String) throws {
        process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("printedge")
        process.arguments = ["calibrate"] + arguments + ["--json", "--socket", socket]
        files = try TemporaryDirectory()
        let stdin = Pipe()
        let stdout = try files.writingHandle("stdout")
        let stderr = try files.writingHandle("stderr")
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        input = stdin.fileHandleForWriting
        exit = ProcessExit(of: process)
        try process.run()
        try? stdout.close()
        try? stderr.close()
        pid = process.processIdentifier
    }

    deinit {
        if !exit.hasExited { kill(pid, SIGKILL) }
    }

    /// Every event so far, in order.
    var events: [[String: Any]] {
        files.read("stdout").split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    var standardError: String { files.read("stderr") }

    /// Waits for the `count`-th event of `type` (1 = the first), and returns it; past `limit`
    /// (a hang guard) the test fails.
    func waitFor(_ type: String, number count: Int = 1, limit: Duration = .seconds(180)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + limit
        while true {
            let matching = events.filter { $0["type"] as? String == type }
            if matching.count >= count { return matching[count - 1] }
            if let end = events.last(where: { ["finished", "failed"].contains($0["type"] as? String) }), end["type"] as? String != type {
                throw SimulatorError(description: "the run ended (\(end)) before a \(type) event #\(count); stderr: \(standardError)")
            }
            if exit.hasExited, events.filter({ $0["type"] as? String == type }).count < count {
                throw SimulatorError(description: "printedge exited before a \(type) event #\(count): \(events.map { $0["type"] ?? "?" }) \(standardError)")
            }
            guard ContinuousClock.now < deadline else { throw SimulatorError(description: "no \(type) event #\(count) within \(limit): \(events)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func answer(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    func interrupt() {
        kill(pid, SIGINT)
    }

    /// The exit status, once it has exited; the last event is its end.
    /// Standard input stays open until then: its end would stop a run that still asks.
    func finish(limit: Duration = .seconds(180)) async -> Int32 {
        let hangGuard = Task { [pid, exit] in
            guard (try? await Task.sleep(for: limit)) != nil, !exit.hasExited else { return }
            kill(pid, SIGKILL)
        }
        let outcome = await exit.wait()
        hangGuard.cancel()
        try? input.close()
        return outcome.status
    }
}

/// Values nested in the JSON events.
extension Dictionary where Key == String, Value == Any {
    subscript(path path: String...) -> Any? {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }
}
