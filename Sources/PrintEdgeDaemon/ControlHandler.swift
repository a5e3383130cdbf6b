import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore

/// Answers control requests (docs/control.md): finds the printer or job named, calls it,
/// and turns every failure into an error reply that says what to do.
struct ControlHandler: Sendable {
    let printers: [String: Printer]
    let order: [String]
    let store: Store
    let telemetry: TelemetryRecorder
    let intake: JobIntake
    /// The `[gpio]` lines, for `power.*`; `nil` without `[gpio]`.
    var gpio: GPIOService?
    /// With `[mqtt]`: the fleet's commands, whose counters `status` shows.
    var fleetCommands: FleetCommands?
    /// With `[mqtt]`: the link's state, and where `fleet.retry` asks for a rewind.
    var fleetLink: FleetLinkMonitor?

    /// `file`: the descriptor that came with the request, for `jobs.submit`.
    func handle(_ request: ControlRequest, file: PassedFile? = nil, reply: @escaping @Sendable (ControlReply) -> Void) async {
        do throws(ControlError) {
            reply(try await answer(request, file: file, reply: reply))
        } catch {
            reply(ControlReply(id: request.id, ok: false, error: error))
        }
    }

    private func answer(
        _ request: ControlRequest, file: PassedFile?, reply: @escaping @Sendable (ControlReply) -> Void
    ) async throws(ControlError) -> ControlReply {
        let id = request.id
        switch request.command {
        case "status":
            var statuses: [PrinterStatus] = []
            for printer in try selected(request.printer) {
                var status = await printer.status()
                status.fleetCommands = await fleetCommands?.counters(printerID: status.id)
                // A status answers even when the database cannot be read; the backlog is left out.
                if fleetLink != nil, let backlog = try? store.outboxBacklog(printerID: status.id) {
                    status.fleetOutbox = FleetOutboxStatus(waiting: backlog.waiting, oldestWaitingAtMS: backlog.oldestWaitingAtMS,
                                                           refused: backlog.refused, latestRefusal: backlog.latestRefusal)
                }
                statuses.append(status)
            }
            return ControlReply(id: id, ok: true, printers: statuses, storage: await storageStatus(), fleet: fleetLink?.status)
        case "jobs.list":
            let states = try (request.states ?? []).map { name throws(ControlError) in
                guard let state = JobState(rawValue: name) else {
                    throw ControlError(code: .badRequest, message: "unknown job state `\(name)`; one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            if let name = request.printer { _ = try printer(name) }
            let records = try storage { () throws(StoreError) in
                try store.jobs(printerID: request.printer, states: states.isEmpty ? nil : Set(states), limit: request.limit ?? 50)
            }
            return ControlReply(id: id, ok: true, jobs: records.map(JobSummary.init))
        case "jobs.submit":
            let target = try printer(try required(request.printer, "printer", for: request))
            let path = try required(request.path, "path", for: request)
            let setup = target.setup
            let record = try await intake.submit(.init(path: path, file: file, printerID: setup.id, name: request.name,
                                                       force: request.force ?? false, limits: setup.limits,
                                                       maxFramedBytes: setup.maxFramedBytes))
            return ControlReply(id: id, ok: true, job: JobSummary(record))
        case "jobs.start":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try await target.startJob(id: jobID)))
        case "jobs.pause":
            let (target, _) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try await target.pauseJob()))
        case "jobs.resume":
            let (target, _) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try await target.resumeJob()))
        case "jobs.cancel":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try await target.cancelJob(id: jobID)))
        case "jobs.recover":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try await target.recoverJob(id: jobID)))
        case "send":
            let target = try printer(try required(request.printer, "printer", for: request))
            let lines = try required(request.lines, "lines", for: request)
            let replies = try await target.send(lines, force: request.force ?? false)
            for text in replies { reply(ControlReply(id: id, event: ConsoleEvent(kind: "reply", printer: target.setup.id, text: text))) }
            return ControlReply(id: id, ok: true)
        case "console":
            let target = try printer(try required(request.printer, "printer", for: request))
            let (console, events) = await target.openConsole()
            for await event in events { reply(ControlReply(id: id, event: event)) }
            await target.closeConsole(console)
            return ControlReply(id: id, ok: true)
        case "estop":
            let target = try printer(try required(request.printer, "printer", for: request))
            await target.emergencyStop()
            return ControlReply(id: id, ok: true)
        case "power.on", "power.off", "power.status":
            if let name = request.printer { _ = try printer(name) }
            guard let gpio else {
                throw ControlError(code: .refused, message: "no power relay is configured: this daemon has no [gpio] section (see hardware/gpio/WIRING.md)")
            }
            let power: GPIOService.PowerRequest = request.command == "power.on" ? .on : request.command == "power.off" ? .off : .status
            return ControlReply(id: id, ok: true, relays: try await gpio.power(power, printerID: request.printer))
        case "fleet.retry":
            if let name = request.printer { _ = try printer(name) }
            guard let fleetLink else {
                throw ControlError(code: .refused, message: "this daemon has no fleet link: its configuration has no [mqtt] section")
            }
            let retried = try storage { () throws(StoreError) in try store.retryRefusedOutbox(printerID: request.printer) }
            fleetLink.requestRewind()
            return ControlReply(id: id, ok: true, retried: retried)
        case "calibrate.start":
            return try await startCalibration(request, reply: reply)
        case "calibrate.answer":
            let target = try printer(try required(request.printer, "printer", for: request))
            try await target.answerCalibration(try required(request.answer, "answer", for: request))
            return ControlReply(id: id, ok: true)
        case "calibrate.cancel":
            let target = try printer(try required(request.printer, "printer", for: request))
            try await target.cancelCalibration()
            return ControlReply(id: id, ok: true)
        case "calibrations.list":
            if let name = request.printer { _ = try printer(name) }
            let records = try storage { () throws(StoreError) in
                try store.calibrations(printerID: request.printer, kinds: request.kinds.map(Set.init), limit: request.limit ?? 50)
            }
            return ControlReply(id: id, ok: true, calibrations: records.map { CalibrationEntry($0, withData: false) })
        case "calibrations.get":
            let recordID = try required(request.record, "record", for: request)
            guard let record = try storage({ () throws(StoreError) in try store.calibration(id: recordID) }) else {
                throw ControlError(code: .refused, message: "there is no calibration record \(recordID) (printedge calibrate history lists them)")
            }
            return ControlReply(id: id, ok: true, calibrations: [CalibrationEntry(record, withData: true)])
        case "telemetry.tail":
            let targets = try selected(request.printer).map(\.setup.id)
            var since = WallClock.nowMS() - 10_000
            while !Task.isCancelled {
                var points: [TelemetryPoint] = []
                for printerID in targets {
                    let samples = try storage { () throws(StoreError) in try store.telemetry(printerID: printerID, sinceMS: since + 1) }
                    points += samples.map { TelemetryPoint(printer: $0.printerID, atMS: $0.atMS, channel: $0.channel.rawValue, value: $0.value, target: $0.target) }
                }
                if let latest = points.map(\.atMS).max() { since = latest }
                if !points.isEmpty { reply(ControlReply(id: id, samples: points.sorted { $0.atMS < $1.atMS })) }
                try? await Task.sleep(for: .seconds(1))
            }
            return ControlReply(id: id, ok: true)
        default:
            throw ControlError(code: .unknownCommand, message: "unknown command `\(request.command)`; see docs/control.md for the list")
        }
    }

    private func storageStatus() async -> StorageStatus {
        var heldJobEvents = 0
        var refusal: StoreError?
        for printer in printers.values {
            let backlog = await printer.backlogStatus()
            heldJobEvents += backlog.count
            refusal = refusal ?? backlog.refusal
        }
        return StorageStatus(recorder: await telemetry.condition, heldJobEvents: heldJobEvents, jobEventRefusal: refusal,
                             databasePath: store.path)
    }

    private func selected(_ name: String?) throws(ControlError) -> [Printer] {
        guard let name else { return order.compactMap { printers[$0] } }
        return [try printer(name)]
    }

    func printer(_ name: String) throws(ControlError) -> Printer {
        guard let printer = printers[name] else {
            throw ControlError(code: .unknownPrinter, message: "no printer `\(name)`; this daemon has \(order.joined(separator: ", "))")
        }
        return printer
    }

    /// The printer a job-addressed request acts on: the job's own.
    private func jobPrinter(_ request: ControlRequest) throws(ControlError) -> (Printer, Int64) {
        let jobID = try required(request.job, "job", for: request)
        let record = try storage { () throws(StoreError) in try store.job(id: jobID) }
        guard let record else { throw ControlError(code: .unknownJob, message: "there is no job \(jobID)") }
        return (try printer(record.printerID), jobID)
    }

    func required<T>(_ value: T?, _ field: String, for request: ControlRequest) throws(ControlError) -> T {
        guard let value else {
            throw ControlError(code: .badRequest, message: "`\(request.command)` needs `\(field)`")
        }
        return value
    }

    func storage<T>(_ body: () throws(StoreError) -> T) throws(ControlError) -> T {
        do {
            return try body()
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
    }
}
