import Foundation
import Logging
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeCore
@testable import PrintEdgeDaemon
import PrintEdgeStore
import PrintEdgeTestSupport
import Synchronization
import Testing

/// A printer that records what it is asked, in a state the test sets: the fleet commands'
/// behaviour without a serial link. Jobs it starts come from the real store.
actor RecordingPrinter: FleetCommandTarget {
    nonisolated let setup: PrinterSetup
    let store: Store
    var state = "idle"
    var job: JobSummary?
    /// Every call that could change the printer, in order (`status` is not one).
    private(set) var calls: [String] = []

    init(id: String, store: Store) {
        setup = PrinterSetup(
            id: id, name: id, portPath: "/dev/null", match: nil, baudRate: 115_200, protocolConfiguration: HostProtocol.Configuration(),
            limits: MachineLimits(xMM: 0...200, yMM: 0...200, zMM: 0...200, maxHotendCelsius: 280, maxBedCelsius: 110),
            maxFramedBytes: 96, startScript: [], pauseScript: [], resumeScript: [], cancelScript: [], gcodeAllowedWhilePrinting: [],
            temperatureInterval: .seconds(1),
            sampleIntervalPrinting: .seconds(1), sampleIntervalIdle: .seconds(10))
        self.store = store
    }

    func set(state: String, job: JobSummary? = nil) {
        self.state = state
        self.job = job
    }

    func status() -> PrinterStatus {
        PrinterStatus(id: setup.id, name: setup.name, state: state, port: setup.portPath, job: job)
    }

    func startJob(id: Int64) throws(ControlError) -> JobRecord {
        guard state == "idle" else { throw ControlError(code: .busy, message: "printer \(setup.id) is \(state)") }
        let record: JobRecord?
        do {
            record = try store.job(id: id)
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
        guard let record, record.printerID == setup.id else { throw ControlError(code: .unknownJob, message: "there is no job \(id)") }
        calls.append("start \(id)")
        state = "printing"
        job = JobSummary(record)
        return record
    }

    func pause(detail: String) throws(ControlError) -> JobRecord { try act("pause", detail, needs: "printing") }
    func resume(detail: String) throws(ControlError) -> JobRecord { try act("resume", detail, needs: "paused") }
    func cancel(detail: String) throws(ControlError) -> JobRecord { try act("cancel", detail, needs: nil) }

    func emergencyStop(detail: String) {
        calls.append("estop: \(detail)")
    }

    func send(_ lines: [String]) throws(ControlError) {
        calls.append("send " + lines.joined(separator: " | "))
    }

    private func act(_ verb: String, _ detail: String, needs: String?) throws(ControlError) -> JobRecord {
        guard let job, needs == nil || state == needs else { throw ControlError(code: .refused, message: "printer \(setup.id) cannot \(verb) now") }
        calls.append("\(verb): \(detail)")
        var record = JobRecord(printerID: setup.id, name: job.name, spoolPath: "", sha256: job.sha256, sizeBytes: job.sizeBytes,
                               commands: job.commands, sourceLines: job.commands, layerCount: job.layers, submittedAtMS: 0)
        record.id = job.id
        return record
    }
}

/// `FleetCommands` over recording printers, a real store and spool in a scratch directory,
/// its service running, and every later reply collected.
final class FleetCommandRig: Sendable {
    let scratch: TemporaryDirectory
    let store: Store
    let printers: [RecordingPrinter]
    let commands: FleetCommands
    private let later = LaterReplies()
    private let running: Task<Void, any Error>

    init(printers ids: [String] = ["mk3s"], settings: FleetCommandSettings = FleetCommandSettings(),
         downloader: any HTTPDownloading = HTTPDownloadCurl(), scratch: TemporaryDirectory? = nil, now: (@Sendable () -> Int64)? = nil) throws {
        let scratch = try scratch ?? TemporaryDirectory()
        self.scratch = scratch
        store = try Store(directory: scratch.file("state"))
        for id in ids {
            try store.upsertPrinter(PrinterRecord(id: id, name: id, port: "/dev/null", profile: "generic", state: "idle", updatedAtMS: 0))
        }
        let store = self.store
        printers = ids.map { RecordingPrinter(id: $0, store: store) }
        let collected = later
        commands = FleetCommands(
            targets: printers, intake: JobIntake(spoolDirectory: scratch.file("spool"), store: store, logger: Logger(label: "fleet-commands-test")), settings: settings,
            transferDirectory: scratch.file("transfers"), downloader: downloader, logger: Logger(label: "fleet-commands-test"),
            now: now ?? { WallClock.nowMS() }, laterReplies: { replies in collected.replies.withLock { $0 += replies } })
        running = Task { [commands] in try await commands.run() }
    }

    deinit {
        running.cancel()
    }

    /// Stops the service and waits for it, as a daemon stopping would.
    func stop() async {
        running.cancel()
        _ = await running.result
    }

    /// Sends one message; the replies `handle` returned, decoded.
    func send(_ payload: String, printer: String = "mk3s", subtopic: String = "cmd") async -> [[String: Any]] {
        await send(Array(payload.utf8), printer: printer, subtopic: subtopic)
    }

    func send(_ payload: [UInt8], printer: String = "mk3s", subtopic: String = "cmd") async -> [[String: Any]] {
        await commands.handle(printerID: printer, subtopic: subtopic, payload: payload).map(Self.decode)
    }

    /// The one reply a command must get.
    func reply(to payload: String, printer: String = "mk3s") async throws -> [String: Any] {
        let replies = await send(payload, printer: printer)
        try #require(replies.count == 1, "one reply to \(payload), got \(replies)")
        return replies[0]
    }

    /// Replies sent after `handle` returned, decoded, oldest first.
    var laterReplies: [[String: Any]] { later.replies.withLock { $0 }.map(Self.decode) }

    /// Waits until `count` later replies have come (a hang guard, not a timing expectation).
    func waitForLaterReplies(_ count: Int) async throws -> [[String: Any]] {
        // A hang guard: under a loaded full suite the cooperative pool can be busy for minutes.
        let deadline = ContinuousClock.now + .seconds(300)
        while later.replies.withLock({ $0.count }) < count {
            guard ContinuousClock.now < deadline else { throw TestFailure("waited for \(count) later replies, got \(laterReplies)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return laterReplies
    }

    static func decode(_ reply: FleetReply) -> [String: Any] {
        let object = (try? JSONSerialization.jsonObject(with: Data(reply.payload))) as? [String: Any]
        return object ?? ["undecodable": String(decoding: reply.payload, as: UTF8.self)]
    }

    /// Files under the transfer directory (part files, records, logs).
    func transferFiles() -> [String] {
        let root = scratch.file("transfers")
        let found = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        return found.filter { !$0.hasSuffix("/") && !FileManager.default.isDirectory(root + "/" + $0) }.sorted()
    }
}

/// Where the commands' later replies land.
final class LaterReplies: Sendable {
    let replies = Mutex<[FleetReply]>([])
}

extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}

/// The `error.code` of a decoded reply.
func errorCode(_ reply: [String: Any]) -> String? { (reply["error"] as? [String: Any])?["code"] as? String }

/// The `error.message` of a decoded reply.
func errorMessage(_ reply: [String: Any]) -> String { (reply["error"] as? [String: Any])?["message"] as? String ?? "" }

/// Lower-case hex SHA-256 of `bytes`.
func sha256Hex(_ bytes: [UInt8]) -> String {
    var hash = PrintEdgeCore.SHA256()
    hash.update(bytes)
    return hash.finalizeHex()
}
