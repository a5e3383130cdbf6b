import Foundation
import PrintEdgeFixtures
import Testing

/// A running `printedged` with virtual printers (and printers on ports the test runs a
/// `printedge-sim` on itself), configured in a scratch directory.
///
/// Every wait here is `async` and sleeps with `Task.sleep`: Swift Testing runs even a
/// synchronous test on the cooperative pool (two threads on two cores), and a test polling
/// with `Thread.sleep` for minutes starves the in-process daemon tests running beside it.
/// Only stopping the daemon blocks (about 0.1 s after SIGTERM), as `deinit` must.
final class DaemonProcess {
    let scratch: Scratch
    let configPath: String
    let socketPath: String
    let stateDirectory: String
    private(set) var process = Process()
    private let log: String
    private let environment: [String: String]

    /// `printers`: ids of virtual printers; each gets `--exec-log <scratch>/<id>.exec`.
    /// `ports`: printer id → a port (a simulator's link) for printers the daemon does not start.
    /// `configuration`: TOML added after `[telemetry]`, e.g. a `[retention]` table.
    init(in scratch: Scratch, printers: [String], speedup: Double = 50, extraSimulatorArguments: [String: [String]] = [:],
         ports: [String: String] = [:], configuration: String = "", environment: [String: String] = [:]) async throws {
        self.scratch = scratch
        self.environment = environment
        stateDirectory = scratch.path("state")
        socketPath = scratch.path("state/printedged.sock")
        configPath = scratch.path("printedge.toml")
        log = scratch.path("printedged.log")
        let profiles = repositoryRoot.appendingPathComponent("hardware/profiles").path
        var text = TestDaemonConfiguration.header(stateDirectory: stateDirectory, profileDirectory: profiles) + configuration
        for (id, port) in ports.sorted(by: { $0.key < $1.key }) {
            text += """

                [[printer]]
                id = "\(id)"
                port = "\(port)"
                profile = "printedge-sim"

                """
        }
        for id in printers {
            let extra = (extraSimulatorArguments[id] ?? []).map { "\"\($0)\"" }.joined(separator: ", ")
            text += """

                [[printer]]
                id = "\(id)"
                virtual = true
                speedup = \(speedup)
                simulator_arguments = ["--exec-log", "\(execLogPath(id))"\(extra.isEmpty ? "" : ", " + extra)]

                """
        }
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        try await start()
    }

    func execLogPath(_ printer: String) -> String { scratch.path("\(printer).exec") }

    func start() async throws {
        process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("printedged")
        process.arguments = ["--config", configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // A hang guard: the integration suites start their daemons at the same moment, and
        // a dozen daemons with their simulators on two cores take a while to be ready.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let printers = try? await statusJSON(), !printers.isEmpty, printers.allSatisfy({ $0["state"] as? String == "idle" }) {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SimulatorError(description: "printedged did not become ready within 120 s: \(logText)")
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// `printedge` with this daemon's socket.
    func cli(_ arguments: [String], limit: Duration = .seconds(120)) async throws -> ProcessResult {
        try await runPrintedge(arguments + ["--socket", socketPath], limit: limit)
    }

    /// The printers of `printedge status --json`, one object each.
    func statusJSON() async throws -> [[String: Any]] {
        let result = try await cli(["status", "--json"])
        let status = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        return status?["printers"] as? [[String: Any]] ?? []
    }

    func printerJSON(_ id: String) async throws -> [String: Any] {
        try await statusJSON().first { $0["id"] as? String == id } ?? [:]
    }

    /// Polls every 0.2 s until `condition` holds; past `limit` (a hang guard, not a timing
    /// expectation) the test fails with `what` and the daemon's log.
    func waitUntil(_ what: String, limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("still waiting after \(limit) until \(what)\n\(logText)")
        throw SimulatorError(description: "gave up waiting until \(what)")
    }

    func jobJSON(_ id: Int) async throws -> [String: Any] {
        let result = try await cli(["jobs", "list", "--json", "--limit", "100"])
        let list = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let jobs = list?["jobs"] as? [[String: Any]] ?? []
        return jobs.first { ($0["id"] as? Int) == id } ?? [:]
    }

    /// Polls until the job leaves `printing` (or the limit passes); returns its last record.
    func waitForJob(_ id: Int, toLeave states: Set<String> = ["printing", "queued"], limit: Duration = .seconds(240)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + limit
        var job: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            job = try await jobJSON(id)
            if let state = job["state"] as? String, !states.contains(state) { return job }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("job \(id) still \(job["state"] ?? "?") after \(limit)")
        return job
    }

    func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    func killHard() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        terminate()
    }
}

let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
