import Foundation
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// A running `printedged` with virtual printers (and printers on ports the test runs a
/// `printedge-sim` on itself), configured in a scratch directory.
///
/// Nothing here holds a thread of the cooperative pool while it waits: Swift Testing runs
/// the tests on that pool (two threads on two cores), and the in-process daemon tests beside
/// these need it. Readiness is an event: the daemon's `READY=1` and `STATUS=` on the notify
/// socket, awaited on a thread of its own, which — should the daemon not be ready in time —
/// takes every thread's stack of the daemon and of this test process for the failure.
final class DaemonProcess {
    let scratch: TemporaryDirectory
    let configPath: String
    let socketPath: String
    let stateDirectory: String
    private let log: String
    private let environment: [String: String]
    private let printerIDs: [String]
    private let notifications: NotifySocket
    private(set) var pid: pid_t = 0
    private var exit: ProcessExit?

    /// How long a daemon may take to be ready with its printers idle: a hang guard.
    private static let readinessLimit: Duration = .seconds(120)

    /// `printers`: ids of virtual printers; each gets `--exec-log <scratch>/<id>.exec`.
    /// `ports`: printer id → a port (a simulator's link) for printers the daemon does not start.
    /// `configuration`: TOML added after `[telemetry]` and `[http]`, e.g. a `[retention]` table.
    /// `printerKeys`: printer id → TOML lines added to its `[[printer]]` table.
    /// `httpListen`: `[http] listen`, off unless a test wants the listener.
    init(in scratch: TemporaryDirectory, printers: [String], speedup: Double = 50, extraSimulatorArguments: [String: [String]] = [:],
         ports: [String: String] = [:], configuration: String = "", printerKeys: [String: String] = [:],
         httpListen: String = "off", environment: [String: String] = [:]) async throws {
        PoolWatch.start()
        self.scratch = scratch
        self.environment = environment
        stateDirectory = scratch.file("state")
        socketPath = scratch.file("state/printedged.sock")
        configPath = scratch.file("printedge.toml")
        log = scratch.file("printedged.log")
        printerIDs = ports.keys.sorted() + printers
        notifications = try NotifySocket(path: scratch.file("notify"))
        let profiles = repositoryRoot.appendingPathComponent("hardware/profiles").path
        var text = TestDaemonConfiguration.header(stateDirectory: stateDirectory, profileDirectory: profiles, httpListen: httpListen) + configuration
        for (id, port) in ports.sorted(by: { $0.key < $1.key }) {
            text += """

                [[printer]]
                id = "\(id)"
                port = "\(port)"
                profile = "printedge-sim"
                \(printerKeys[id] ?? "")

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
                \(printerKeys[id] ?? "")

                """
        }
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        try await start()
    }

    func execLogPath(_ printer: String) -> String { scratch.file("\(printer).exec") }

    /// The notify protocol's messages from this daemon (since the last `start`).
    var notifyMessages: [String] { notifications.messages }

    var isRunning: Bool { exit.map { !$0.hasExited } ?? false }

    /// Starts the daemon (with `--log-level debug`, so its log times each start-up step) and
    /// returns once it has said `READY=1` and every printer is idle.
    func start() async throws {
        notifications.forget()
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("printedged")
        process.arguments = ["--config", configPath, "--log-level", "debug"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(["NOTIFY_SOCKET": notifications.path]) { $1 }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        let exit = ProcessExit(of: process)
        try process.run()
        try? handle.close()
        self.exit = exit
        pid = process.processIdentifier
        let (pid, notifications, printers, limit) = (pid, notifications, Set(printerIDs), Self.readinessLimit)
        let readiness = try await onThreadOfItsOwn { () -> Readiness in
            let ready = notifications.wait(until: .now + limit, for: { messages in
                guard let states = NotifySocket.printerStates(in: messages) else { return false }
                return Set(states.keys) == printers && states.values.allSatisfy { $0 == "idle" }
            }, unless: { exit.hasExited })
            if ready { return .ready }
            if let outcome = exit.outcome { return .exited(status: outcome.status) }
            return .stalled(stacks: """
                threads of printedged (pid \(pid)):
                \(ThreadDump.of(pid))

                this test process's busy cooperative-pool threads (pid \(getpid())):
                \(ThreadDump.of(getpid(), busyPoolThreadsOnly: true))
                """)
        }
        switch readiness {
        case .ready:
            return
        case .exited(let status):
            throw SimulatorError(description: "printedged exited with status \(status) before it was ready: \(logText)")
        case .stalled(let stacks):
            throw SimulatorError(description: """
                printedged did not become ready with its printers idle within \(limit); its last notifications: \(notifications.messages.suffix(10))
                \(stacks)

                its log:
                \(logText)
                """)
        }
    }

    private enum Readiness: Sendable {
        case ready
        case exited(status: Int32)
        /// Every thread's stack, taken when the time was up.
        case stalled(stacks: String)
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// `printedge` with this daemon's socket.
    func cli(_ arguments: [String], limit: Duration = .seconds(120)) async throws -> ToolRun {
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

    /// SIGTERM, and back once the daemon has exited: it has stopped its printers, closed its
    /// database and stopped its simulators.
    func terminate() async {
        await stop(with: SIGTERM)
    }

    /// SIGKILL, as a power cut: nothing is closed.
    func killHard() async {
        await stop(with: SIGKILL)
    }

    private func stop(with signal: Int32) async {
        guard let exit, !exit.hasExited else { return }
        kill(pid, signal)
        _ = await exit.wait()
    }

    /// SIGTERM without waiting: Foundation's own thread reaps the daemon, and the scratch
    /// directory goes once it has.
    deinit {
        guard let exit, !exit.hasExited else { return }
        kill(pid, SIGTERM)
        Task { [scratch] in
            _ = await exit.wait()
            withExtendedLifetime(scratch) {}
        }
    }
}

let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
