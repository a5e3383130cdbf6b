import Foundation
import Logging
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeFixtures
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import PrintEdgeUSB
import ServiceLifecycle
import Testing

/// printedged in the test's process, built by the same `Daemon` builder as `main` but with
/// the test's USB tree and GPIO chip; its printers are real simulators on ptys, its store a
/// real SQLite file, and requests go through the real control socket.
final class DaemonUnderTest: Sendable {
    let log = CollectedLog()
    let daemon: Daemon
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Runs `body` against a daemon configured with `configuration` (the `[[printer]]` and
    /// `[gpio]` tables; state and telemetry settings are added), then stops it, whatever
    /// `body` did. `logLevel`: the least severe message `log` keeps.
    static func with(
        in scratch: TemporaryDirectory, configuration text: String, usb: FakeUSBTree? = nil, chip: RecordingGPIOChip? = nil,
        printerAppearTimeout: Duration = .seconds(60), logLevel: Logger.Level = .info, adjust: (inout DaemonConfiguration) -> Void = { _ in },
        _ body: (DaemonUnderTest) async throws -> Void
    ) async throws {
        PoolWatch.start()
        let daemon = try await DaemonUnderTest(
            in: scratch, configuration: text, usb: usb, chip: chip, printerAppearTimeout: printerAppearTimeout, logLevel: logLevel, adjust: adjust)
        do {
            try await body(daemon)
        } catch {
            await daemon.stop()
            throw error
        }
        await daemon.stop()
    }

    private init(
        in scratch: TemporaryDirectory, configuration text: String, usb: FakeUSBTree?, chip: RecordingGPIOChip?, printerAppearTimeout: Duration,
        logLevel: Logger.Level, adjust: (inout DaemonConfiguration) -> Void
    ) async throws {
        var configuration = try Self.configuration(in: scratch, text)
        adjust(&configuration)
        var discovery = HotplugService.Discovery.system
        if let usb {
            discovery.scanner = USBPortScanner(sysfsRoot: usb.sysfsRoot, deviceRoot: usb.deviceRoot)
            discovery.rescanInterval = .milliseconds(100)
        }
        var gpio = GPIOService.Environment.system
        if let chip { gpio.openChip = { _ in chip } }
        gpio.printerAppearTimeout = printerAppearTimeout
        // Built as printedged builds it: on a thread of its own, not one of the pool's.
        var logger = log.logger
        logger.logLevel = logLevel
        daemon = try await Daemon.build(configuration: configuration, environment: [:], logger: logger, discovery: discovery, gpioEnvironment: gpio)
        group = ServiceGroup(configuration: .init(services: daemon.services.map { .init(service: $0) }, logger: log.logger))
        running = Task { [group] in try await group.run() }
    }

    /// `text` (the `[[printer]]` and `[gpio]` tables) after a state directory in `scratch`,
    /// the repository's profiles and quick telemetry, loaded as `printedged` loads its file.
    static func configuration(in scratch: TemporaryDirectory, _ text: String) throws -> DaemonConfiguration {
        let file = scratch.file("printedge.toml")
        let profiles = repositoryRoot.appendingPathComponent("hardware/profiles").path
        try (TestDaemonConfiguration.header(stateDirectory: scratch.file("state"), profileDirectory: profiles) + "\n" + text)
            .write(toFile: file, atomically: true, encoding: .utf8)
        return try DaemonConfiguration.load(path: file)
    }

    private func stop() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    // MARK: - Requests

    /// One request over the control socket; the final reply, `ok` or not.
    func request(_ command: String, printer: String? = nil, job: Int64? = nil, path: String? = nil, lines: [String]? = nil) async throws -> ControlReply {
        let socket = daemon.socketPath
        let request = ControlRequest(id: 0, command: command, printer: printer, job: job, path: path, lines: lines)
        // The client blocks: on a thread of its own, not one of the daemon's pool threads.
        let outcome = await DedicatedThread.run { () -> Result<ControlReply, TestFailure> in
            do {
                return .success(try ControlClient(socketPath: socket).call(request))
            } catch {
                return .failure(TestFailure("\(command): \(error)"))
            }
        }
        return try outcome.get()
    }

    /// A request that must succeed.
    @discardableResult
    func expectOK(_ command: String, printer: String? = nil, job: Int64? = nil, path: String? = nil, lines: [String]? = nil) async throws -> ControlReply {
        let reply = try await request(command, printer: printer, job: job, path: path, lines: lines)
        guard reply.ok == true else { throw TestFailure("\(command) failed: \(reply.error?.message ?? "no reply")\n\(log.text)") }
        return reply
    }

    func status(of printer: String) async throws -> PrinterStatus {
        guard let status = try await expectOK("status", printer: printer).printers?.first else {
            throw TestFailure("status of \(printer): no printer in the reply")
        }
        return status
    }

    func job(_ id: Int64) async throws -> JobSummary {
        guard let job = try await expectOK("jobs.list").jobs?.first(where: { $0.id == id }) else { throw TestFailure("no job \(id)") }
        return job
    }

    /// Submits `lines` as a job for `printer`; its id.
    func submit(_ lines: [String], printer: String, in scratch: TemporaryDirectory) async throws -> Int64 {
        let file = scratch.file("job-\(UUID().uuidString.prefix(6)).gcode")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        guard let id = try await expectOK("jobs.submit", printer: printer, path: file).job?.id else { throw TestFailure("jobs.submit: no job") }
        return id
    }

    /// The job's events as stored: kind and detail.
    func events(ofJob id: Int64) throws -> [(kind: String, detail: String?)] {
        try daemon.store.events(jobID: id).map { ($0.kind.rawValue, $0.detail) }
    }

    /// Polls every 50 ms until `condition` holds; past `limit` (a hang guard, not a timing
    /// expectation) the test fails with `what` and the daemon's log.
    func waitUntil(_ what: String, limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("still waiting after \(limit) until \(what)\n\(log.text)")
        throw TestFailure("gave up waiting until \(what)")
    }

    /// Waits until the job is printing and its printer has acknowledged line `line`.
    func waitUntilPrinting(job id: Int64, pastLine line: Int) async throws {
        try await waitUntil("job \(id) printed past line \(line)") {
            let job = try await self.job(id)
            return job.state == "printing" && job.acknowledgedSourceLine > line
        }
    }
}
