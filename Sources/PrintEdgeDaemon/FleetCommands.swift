import Logging
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore
import ServiceLifecycle

/// Where replies go that come after `handle` has returned: a delivered file's `start_job`, an
/// expired transfer. The daemon queues them in the outbox (`FleetOutbox`), as the fleet link
/// does with those `handle` returns.
typealias FleetReplySink = @Sendable ([FleetReply]) async -> Void

/// Carries out the commands the fleet sends on `<printer>/cmd` and takes the files it sends
/// on `<printer>/files/<transfer>/<index>` (docs/mqtt-commands.md).
///
/// Every command gets exactly one reply: the one `handle` returns, or — for a `start_job`
/// whose file is still to arrive — one sent through `laterReplies` once the file is verified
/// and queued, refused, or expired. A refused command changes nothing: the payload is
/// validated whole (`FleetCommandParser`) before any printer is asked, and a printer that
/// refuses (busy, not connected) refuses before acting, as it does for the control socket.
///
/// A `Service`: `run` performs what outlives one message — verifying and queueing delivered
/// files, downloads, each printer's G-code queue, the expiry of abandoned transfers — and
/// stops it on shutdown (part files stay, and resume at the next start).
actor FleetCommands: FleetCommandHandling, Service {
    let targets: [String: any FleetCommandTarget]
    let intake: JobIntake
    let parser: FleetCommandParser
    let settings: FleetCommandSettings
    let spool: FileTransferSpool
    let downloader: any HTTPDownloading
    let laterReplies: FleetReplySink
    /// Wall-clock milliseconds: when a delivery was announced, and whether it has expired.
    let now: @Sendable () -> Int64
    let logger: Logger

    var deliveries: [DeliveryKey: Delivery] = [:]
    private var counters: [String: FleetCommandCounters] = [:]
    /// Commands for printers this daemon does not have, and payloads on unknown subtopics:
    /// one bucket, so a sender inventing printer ids cannot grow a map.
    private var unattributed = FleetCommandCounters()
    private var recent = FleetCommandRepeats(capacity: 1024)
    let work: AsyncStream<DeliveryKey>.Continuation
    private let workItems: AsyncStream<DeliveryKey>
    /// Per printer, G-code batches in arrival order, sent one batch after the other.
    private let gcodeQueues: [String: (stream: AsyncStream<[String]>, continuation: AsyncStream<[String]>.Continuation)]

    /// A delivery: one printer's transfer (`t-<id>`) or download (`u-<sha256>`).
    struct DeliveryKey: Hashable, Sendable {
        var printerID: String
        var key: String
    }

    struct Delivery: Sendable {
        var record: FileTransferRecord
        /// Which chunks are in; `nil` for a download.
        var transfer: FileTransfer?
        /// Verifying, queueing or downloading: chunks and expiry leave it alone.
        var busy = false
    }

    init(targets: [any FleetCommandTarget], intake: JobIntake, settings: FleetCommandSettings, transferDirectory: String,
         downloader: any HTTPDownloading = HTTPDownloadCurl(), logger: Logger,
         now: @escaping @Sendable () -> Int64 = { WallClock.nowMS() }, laterReplies: @escaping FleetReplySink) {
        self.targets = Dictionary(targets.map { ($0.setup.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.intake = intake
        self.settings = settings
        parser = FleetCommandParser(settings: settings)
        spool = FileTransferSpool(directory: transferDirectory)
        self.downloader = downloader
        self.logger = logger
        self.now = now
        self.laterReplies = laterReplies
        (workItems, work) = AsyncStream<DeliveryKey>.makeStream()
        gcodeQueues = Dictionary(uniqueKeysWithValues: targets.map { ($0.setup.id, AsyncStream<[String]>.makeStream()) })
        counters = Dictionary(uniqueKeysWithValues: targets.map { ($0.setup.id, FleetCommandCounters()) })
        let known = Set(targets.map(\.setup.id))
        let (found, unreadable) = spool.load()
        for path in unreadable {
            logger.warning("fleet transfer record \(path) cannot be read; it is left in place: remove it with its .part and .chunks files")
        }
        for (record, transfer) in found {
            let key = DeliveryKey(printerID: record.printerID, key: record.key)
            deliveries[key] = Delivery(record: record, transfer: transfer)
            // A download, a transfer whose last chunk came just before a stop, or a delivery for
            // a printer no longer configured (dropped) goes on.
            if transfer == nil || transfer?.isComplete == true || !known.contains(record.printerID) { work.yield(key) }
        }
    }

    // MARK: - Counters

    /// A printer's counters; `nil` for a printer this daemon does not have.
    func counters(printerID: String) -> FleetCommandCounters? { counters[printerID] }

    /// Every printer's counters added up, with commands for unknown printers.
    func totalCounters() -> FleetCommandCounters { counters.values.reduce(unattributed, +) }

    func count(_ printerID: String, _ change: (inout FleetCommandCounters) -> Void) {
        guard var printer = counters[printerID] else { return change(&unattributed) }
        change(&printer)
        counters[printerID] = printer
    }

    func countRefusal(_ printerID: String, _ code: FleetCommandError.Code) {
        count(printerID) { $0.refused[code.rawValue, default: 0] += 1 }
    }

    // MARK: - Messages

    func handle(printerID: String, subtopic: String, payload: [UInt8]) async -> [FleetReply] {
        var replies = expireAbandoned()
        if subtopic == "cmd" {
            count(printerID) { $0.received += 1 }
            if let reply = await command(printerID: printerID, payload: payload) {
                replies.append(reply.fleetReply)
            }
        } else if subtopic.hasPrefix("files/") {
            if let reply = await chunk(printerID: printerID, subtopic: subtopic, payload: payload) {
                replies.append(reply.fleetReply)
            }
        } else {
            countRefusal(printerID, .badRequest)
            replies.append(FleetCommandReply.refused(id: nil, command: nil, printerID: printerID, FleetCommandError(.badRequest,
                "`\(subtopic)` is not a command topic; commands go to <printer>/cmd and file chunks to <printer>/files/<transfer>/<index>"))
                .fleetReply)
        }
        return replies
    }

    /// The reply to a `cmd` payload; `nil` when there is none now (a repeat, or a delivery
    /// whose reply comes later).
    private func command(printerID: String, payload: [UInt8]) async -> FleetCommandReply? {
        let target = targets[printerID]
        let parsed: Result<FleetCommand, FleetCommandParser.Refusal>
        do throws(FleetCommandParser.Refusal) {
            parsed = .success(try parser.parse(payload, maxFramedBytes: target?.setup.maxFramedBytes ?? LineFraming.marlinMaxLineBytes))
        } catch {
            parsed = .failure(error)
        }
        let id: FleetCommandID? = switch parsed {
        case .success(let command): command.id
        case .failure(let refusal): refusal.id
        }
        if let id, target != nil, !recent.isNew(printerID: printerID, id: id, payload: payload) {
            count(printerID) { $0.duplicates += 1 }
            return nil
        }
        guard let target else {
            let name = switch parsed {
            case .success(let command): command.action.name
            case .failure(let refusal): refusal.command
            }
            countRefusal(printerID, .unknownPrinter)
            return .refused(id: id, command: name, printerID: printerID, FleetCommandError(.unknownPrinter,
                "this daemon has no printer `\(printerID)`; its printers are \(targets.keys.sorted().joined(separator: ", "))"))
        }
        switch parsed {
        case .failure(let refusal):
            countRefusal(printerID, refusal.error.code)
            return .refused(id: refusal.id, command: refusal.command, printerID: printerID, refusal.error)
        case .success(let command):
            do throws(FleetCommandError) {
                guard let reply = try await perform(command, on: target) else { return nil }
                count(printerID) { $0.accepted += 1 }
                return reply
            } catch {
                countRefusal(printerID, error.code)
                return .refused(id: command.id, command: command.action.name, printerID: printerID, error)
            }
        }
    }

    private func perform(_ command: FleetCommand, on target: any FleetCommandTarget) async throws(FleetCommandError) -> FleetCommandReply? {
        let printerID = target.setup.id
        let who = "by the fleet (command \(command.id))"
        switch command.action {
        case .startJob(let source, let options):
            return try await startJob(command, source: source, options: options, on: target)
        case .pause(let job):
            try await requireJob(job, on: target)
            return .accepted(command, printerID: printerID, [("job", Self.json(try await control { () throws(ControlError) in try await target.pause(detail: "paused \(who)") }))])
        case .resume(let job):
            try await requireJob(job, on: target)
            return .accepted(command, printerID: printerID, [("job", Self.json(try await control { () throws(ControlError) in try await target.resume(detail: "resumed \(who)") }))])
        case .cancel(let job):
            try await requireJob(job, on: target)
            return .accepted(command, printerID: printerID, [("job", Self.json(try await control { () throws(ControlError) in try await target.cancel(detail: "cancelled \(who)") }))])
        case .emergencyStop:
            let status = await target.status()
            guard !["offline", "error", "halted"].contains(status.state) else {
                throw FleetCommandError(.notConnected, "printer \(printerID) is \(status.state)\(status.error.map { " (\($0))" } ?? ""): no connection to send M112 on")
            }
            await target.emergencyStop(detail: "emergency stop \(who)")
            return .accepted(command, printerID: printerID)
        case .gcode(let lines):
            let status = try await connectedStatus(of: target)
            if status.job != nil || ["printing", "paused", "finishing"].contains(status.state) {
                try parser.allowList.checkWhilePrinting(lines, printerID: printerID, state: status.state)
            }
            gcodeQueues[printerID]?.continuation.yield(lines.map(\.line))
            return .accepted(command, printerID: printerID, [("lines", .integer(lines.count))])
        case .setTemperature(let heater, let celsius):
            let limits = target.setup.limits
            let limit = if case .bed = heater { limits.maxBedCelsius } else { limits.maxHotendCelsius }
            guard celsius <= limit else {
                throw FleetCommandError(.refused, "`target_celsius` \(celsius) is above the \(heater) limit of printer \(printerID)'s profile (\(limit) °C)", field: "target_celsius")
            }
            _ = try await connectedStatus(of: target)
            let line = heater.line(targetCelsius: celsius)
            gcodeQueues[printerID]?.continuation.yield([line])
            return .accepted(command, printerID: printerID, [("gcode", .string(line))])
        case .statusRequest:
            // The counters as they were before this command.
            return .done(command, printerID: printerID, [("printer_status", Self.json(await target.status())),
                                                         ("commands", Self.json(counters[printerID] ?? FleetCommandCounters()))])
        case .transferStatus(let transfer):
            guard let delivery = deliveries[DeliveryKey(printerID: printerID, key: "t-\(transfer)")], let state = delivery.transfer else {
                throw FleetCommandError(.unknownTransfer, "printer \(printerID) holds no transfer `\(transfer)`: it was never announced, or it ended (its start_job got the reply)", field: "transfer")
            }
            return .done(command, printerID: printerID, Self.transferDetails(state, busy: delivery.busy))
        }
    }

    /// The printer's status, when it can take G-code.
    private func connectedStatus(of target: any FleetCommandTarget) async throws(FleetCommandError) -> PrinterStatus {
        let status = await target.status()
        guard !["offline", "connecting", "error", "halted"].contains(status.state) else {
            throw FleetCommandError(.notConnected, "printer \(target.setup.id) is \(status.state)\(status.error.map { " (\($0))" } ?? ""); G-code goes to a connected printer")
        }
        return status
    }

    /// When the sender named the job it means, the printer's job must be that one.
    private func requireJob(_ job: Int64?, on target: any FleetCommandTarget) async throws(FleetCommandError) {
        guard let job else { return }
        let current = await target.status().job
        guard current?.id == job else {
            throw FleetCommandError(.unknownJob, "printer \(target.setup.id) \(current.map { "has job \($0.id) (\($0.state))" } ?? "has no job"), not job \(job)", field: "job")
        }
    }

    func control<T>(_ body: () async throws(ControlError) -> T) async throws(FleetCommandError) -> T {
        do {
            return try await body()
        } catch {
            throw FleetCommandError(error)
        }
    }

    // MARK: - Service

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for (printerID, queue) in self.gcodeQueues {
                    guard let target = self.targets[printerID] else { continue }
                    group.addTask { await Self.sendInOrder(queue.stream, to: target, logger: self.logger) }
                }
                group.addTask { await self.expireAbandonedPeriodically() }
                for await key in self.workItems {
                    group.addTask { await self.carryOut(key) }
                }
                group.cancelAll()
            }
        }
    }

    /// One batch after the other, each once the previous one was handled by the firmware:
    /// the order the fleet sent them in, and Marlin's own (an `M109` holds what follows).
    private static func sendInOrder(_ batches: AsyncStream<[String]>, to target: any FleetCommandTarget, logger: Logger) async {
        for await lines in batches {
            do {
                try await target.send(lines)
            } catch {
                logger.warning("printer \(target.setup.id): G-code from the fleet was not sent: \(error)")
            }
        }
    }

    private func expireAbandonedPeriodically() async {
        let interval = min(settings.transferExpiry / 4, .seconds(60))
        while (try? await Task.sleep(for: interval)) != nil {
            let replies = expireAbandoned()
            if !replies.isEmpty { await laterReplies(replies) }
        }
    }

    // MARK: - JSON

    static func json(_ record: JobSummary) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", .integer(record.id)), ("name", .string(record.name)), ("state", .string(record.state)),
            ("sha256", .string(record.sha256)), ("size_bytes", .integer(record.sizeBytes)), ("commands", .integer(record.commands)),
            ("layers", .integer(record.layers)), ("fraction", .double(record.fraction)),
        ]
        if let seconds = record.estimatedSeconds { members.append(("estimated_seconds", .double(seconds))) }
        if let reason = record.failureReason { members.append(("failure_reason", .string(reason))) }
        return .object(members)
    }

    static func json(_ record: JobRecord) -> JSONValue { json(JobSummary(record)) }

    /// The status message's document (`FleetStatusPayload`), so `status_request` and the
    /// retained `status` topic read alike.
    static func json(_ status: PrinterStatus) -> JSONValue {
        FleetStatusPayload(status).json.flatMap { try? JSONValue.parse(Array($0.utf8)) } ?? .object([("state", .string(status.state))])
    }

    static func json(_ counters: FleetCommandCounters) -> JSONValue {
        .object([
            ("received", .integer(counters.received)), ("accepted", .integer(counters.accepted)),
            ("refused", .object(counters.refused.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
            ("duplicates", .integer(counters.duplicates)), ("chunks_received", .integer(counters.chunksReceived)),
            ("chunks_refused", .integer(counters.chunksRefused)), ("transfers_completed", .integer(counters.transfersCompleted)),
            ("transfers_failed", .integer(counters.transfersFailed)),
        ])
    }

    /// `transfer_status`'s answer: counts and the missing chunks as `[first, last]` ranges
    /// (at most 1,000 of them; `missing_truncated` says when there are more).
    static func transferDetails(_ transfer: FileTransfer, busy: Bool) -> [(key: String, value: JSONValue)] {
        let ranges = transfer.missingRanges
        return [
            ("transfer", .string(transfer.announcement.transfer)),
            ("chunk_count", .integer(transfer.announcement.chunkCount)),
            ("received_chunks", .integer(transfer.receivedCount)),
            ("missing", .array(ranges.prefix(1000).map { .array([.integer($0.lowerBound), .integer($0.upperBound)]) })),
            ("missing_truncated", .bool(ranges.count > 1000)),
            ("verifying", .bool(busy)),
        ]
    }
}

extension FleetCommands {
    /// The daemon's: its printers, its spool, and replies that come later queued in the
    /// outbox like those `handle` returns.
    init(printers: [Printer], store: Store, spoolDirectory: String, settings: FleetCommandSettings, stateDirectory: String,
         logger: Logger) {
        let outbox = FleetOutbox(store: store)
        self.init(targets: printers, intake: JobIntake(spoolDirectory: spoolDirectory, store: store, logger: logger), settings: settings,
                  transferDirectory: settings.transferPath(stateDirectory: stateDirectory), logger: logger) { replies in
            for reply in replies {
                do {
                    try outbox.enqueueReply(printerID: reply.printerID, payload: reply.payload)
                } catch {
                    logger.error("\(error)")
                }
            }
        }
    }
}
