import Foundation
import PrintEdgeTestSupport
import Testing

/// The directory holding the built `printedge` and `printedge-sim` (next to the test bundle).
let productsDirectory: URL = {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // Swift Testing on Linux runs from `<bin>/printedgePackageTests.xctest`.
    if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("printedge-sim").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}()

/// A running `printedge-sim`, stopped (SIGTERM, so it writes its stats) when done.
final class Simulator: Sendable {
    let link: String
    let statsPath: String
    let execLogPath: String
    private let process: ChildProcess

    /// Returns once the simulator says it listens (and its link exists).
    init(in scratch: TemporaryDirectory, arguments: [String] = []) async throws {
        link = scratch.file("printer")
        statsPath = scratch.file("sim-stats.json")
        execLogPath = scratch.file("exec.log")
        process = try ChildProcess(productsDirectory.appendingPathComponent("printedge-sim").path,
                                   ["--link", link, "--stats", statsPath, "--exec-log", execLogPath] + arguments)
        do {
            try await process.waitForOutput(containing: "listening on")
        } catch {
            throw SimulatorError(description: "printedge-sim did not start: \(error)")
        }
    }

    /// For signals: SIGUSR1 resets the simulated board.
    var pid: pid_t { process.pid }

    /// SIGTERM, and back once it has exited: the simulator flushes its execution log and
    /// statistics first.
    func stop() async {
        await process.stop(with: SIGTERM)
    }

    /// SIGKILL: the pty goes with the process, as a pulled cable takes the tty; then the link
    /// goes too, as udev removes a by-id link. Left behind, it would name a pty number the
    /// kernel gives the next program asking for one (another test's simulator, a tmux), and a
    /// daemon reconnecting to it would talk to that program.
    func kill() async {
        await process.stop(with: SIGKILL)
        try? FileManager.default.removeItem(atPath: link)
    }

    func statistics() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: statsPath))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func executedCommands() throws -> [String] {
        let text = try String(contentsOfFile: execLogPath, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

struct SimulatorError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `printedge` to completion; past `limit` (a hang guard) it gets SIGTERM, which fails
/// the test. `whileRunning` gets its PID, e.g. to interrupt it; `environment` is added to
/// the test's own.
func runPrintedge(_ arguments: [String], limit: Duration = .seconds(300), environment: [String: String] = [:],
                  whileRunning: (@Sendable (pid_t) async -> Void)? = nil) async throws -> ToolRun {
    try await runProduct("printedge", arguments, limit: limit, environment: environment, whileRunning: whileRunning)
}

/// Runs the built executable `product` (`printedge`, `printedged`) to completion, as
/// `runPrintedge` does.
func runProduct(_ product: String, _ arguments: [String], limit: Duration = .seconds(300), environment: [String: String] = [:],
                whileRunning: (@Sendable (pid_t) async -> Void)? = nil) async throws -> ToolRun {
    let merged = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let run = try await ToolRun(productsDirectory.appendingPathComponent(product).path, arguments, environment: merged, limit: limit,
                                whileRunning: whileRunning)
    if run.timedOut {
        Issue.record("\(product) \(arguments.joined(separator: " ")) still running after \(limit)")
    }
    return run
}

/// The commands of a G-code file as the host sends them (comments and blanks removed).
func normalisedCommands(ofFile path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
        GCodeNormalizerBridge.normalize(String(line))
    }
}

func jsonObject(_ text: String) throws -> [String: Any] {
    let line = text.split(separator: "\n").last.map(String.init) ?? ""
    return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
}
