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
    /// The verdict `health` returns, and the storage `status` shows.
    let health: DaemonHealth
    /// The virtual printers' simulators, whose boards `reset` resets.
    var boards: VirtualBoards?

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
                var status = await liveStatus(printer)
                status.fleetCommands = await fleetCommands?.counters(printerID: status.id)
                // A status answers even when the database cannot be read; the backlog is left out.
                if fleetLink != nil, let backlog = try? store.outboxBacklog(printerID: status.id) {
                    status.fleetOutbox = FleetOutboxStatus(waiting: backlog.waiting, oldestWaitingAtMS: backlog.oldestWaitingAtMS,
                                                           refused: backlog.refused, latestRefusal: backlog.latestRefusal)
                }
                statuses.append(status)
            }
            return ControlReply(id: id, ok: true, printers: statuses, storage: await health.storageStatus(), fleet: fleetLink?.status,
                                daemonVersion: PrintEdgeVersion.number)
        case "health":
            return ControlReply(id: id, ok: true, health: await health.verdict())
        case "backup":
            return ControlReply(id: id, ok: true, backup: try await backup(request, file: file))
        case "jobs.list":
            let states = try (request.states ?? []).map { name throws(ControlError) in
                guard let state = JobState(rawValue: name) else {
                    throw ControlError(code: .badRequest, message: "unknown job state `\(name)`; one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            if let name = request.printer { _ = try printer(name) }
            let records = try storage { () throws(StoreError) in
                if let jobID = request.job { return try store.job(id: jobID).map { [$0] } ?? [] }
                return try store.jobs(printerID: request.printer, states: states.isEmpty ? nil : Set(states), limit: request.limit ?? 50)
            }
            if let jobID = request.job, records.isEmpty { throw ControlError(code: .unknownJob, message: "there is no job \(jobID)") }
            var live: [Int64: JobSummary] = [:]
            for printer in try selected(request.printer) {
                if let job = await liveStatus(printer).job { live[job.id] = job }
            }
            return ControlReply(id: id, ok: true, jobs: records.map { live[$0.id ?? 0] ?? JobSummary($0) })
        case "jobs.submit":
            let target = try printer(try required(request.printer, "printer", for: request))
            let path = try required(request.path, "path", for: request)
            let setup = target.setup
            let record = try await intake.submit(.init(path: path, file: file, printerID: setup.id, name: request.name,
                                                       force: request.force ?? false, limits: setup.limits,
                                                       maxFramedBytes: setup.maxFramedBytes,
                                                       progress: { reply(ControlReply(id: id, submission: $0)) }))
            return ControlReply(id: id, ok: true, job: JobSummary(record))
        case "jobs.start":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: await summary(try await target.startJob(id: jobID), printer: target))
        case "jobs.pause":
            let (target, _) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: await summary(try await target.pauseJob(), printer: target))
        case "jobs.resume":
            let (target, _) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: await summary(try await target.resumeJob(), printer: target))
        case "jobs.cancel":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: await summary(try await target.cancelJob(id: jobID), printer: target))
        case "jobs.recover":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: await summary(try await target.recoverJob(id: jobID), printer: target))
        case "jobs.remove":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try await target.removeJob(id: jobID)))
        case "jobs.reprint":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, job: JobSummary(try reprint(jobID, on: target)))
        case "jobs.next":
            let target = try printer(try required(request.printer, "printer", for: request))
            let next = try storage { () throws(StoreError) in try store.nextQueuedJob(printerID: target.setup.id) }
            guard let next, let jobID = next.id else {
                throw ControlError(code: .refused, message: "printer \(target.setup.id) has no queued job; `printedge jobs submit FILE` queues one")
            }
            return ControlReply(id: id, ok: true, job: await summary(try await target.startJob(id: jobID), printer: target))
        case "jobs.show":
            let (target, jobID) = try jobPrinter(request)
            return ControlReply(id: id, ok: true, history: try await history(of: jobID, on: target))
        case "send":
            let target = try printer(try required(request.printer, "printer", for: request))
            let lines = try required(request.lines, "lines", for: request)
            let replies = try await target.send(lines, force: request.force ?? false)
            for text in replies { reply(ControlReply(id: id, event: ConsoleEvent(kind: "reply", printer: target.setup.id, text: text))) }
            return ControlReply(id: id, ok: true)
        case "log.serial":
            let target = try printer(try required(request.printer, "printer", for: request))
            let follow = request.follow == true
            for line in try await target.wireLogTail(follow ? request.limit ?? 20 : request.limit ?? 100, orNothing: follow) {
                reply(ControlReply(id: id, event: ConsoleEvent(kind: "wire", printer: target.setup.id, text: line)))
            }
            if request.follow == true {
                let (token, lines) = await target.followWire()
                for await line in lines { reply(ControlReply(id: id, event: ConsoleEvent(kind: "wire", printer: target.setup.id, text: line))) }
                await target.unfollowWire(token)
            }
            return ControlReply(id: id, ok: true)
        case "console":
            let target = try printer(try required(request.printer, "printer", for: request))
            let (console, events) = await target.openConsole()
            for await event in events { reply(ControlReply(id: id, event: event)) }
            await target.closeConsole(console)
            return ControlReply(id: id, ok: true)
        case "estop":
            let target = try printer(try required(request.printer, "printer", for: request))
            let status = await target.status()
            guard status.state != "halted" else {
                throw ControlError(code: .refused, message: "printer \(status.id) is already halted (\(status.halt?.reason ?? "")): nothing can move it until `printedge reset`")
            }
            await target.emergencyStop()
            return ControlReply(id: id, ok: true)
        case "reset":
            let target = try printer(try required(request.printer, "printer", for: request))
            let status = try await target.reset(force: request.force ?? false, boardReset: boards?.reset(for: target.setup.id))
            return ControlReply(id: id, ok: true, printers: [status])
        case "power.on", "power.off", "power.status":
            if let name = request.printer { _ = try printer(name) }
            guard let gpio else {
                throw ControlError(code: .notConfigured, message: "no power relay is configured: this daemon has no [gpio] section (see hardware/gpio/WIRING.md)")
            }
            let power: GPIOService.PowerRequest = request.command == "power.on" ? .on : request.command == "power.off" ? .off : .status
            return ControlReply(id: id, ok: true, relays: try await gpio.power(power, printerID: request.printer))
        case "fleet.retry":
            if let name = request.printer { _ = try printer(name) }
            guard let fleetLink else {
                throw ControlError(code: .notConfigured, message: "this daemon has no fleet link: its configuration has no [mqtt] section")
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

    /// `jobs.reprint`: a new queued job from the spooled file of `jobID`, if it is still there.
    private func reprint(_ jobID: Int64, on target: Printer) throws(ControlError) -> JobRecord {
        let original = try storage { () throws(StoreError) in try store.job(id: jobID) }
        guard let original else { throw ControlError(code: .unknownJob, message: "there is no job \(jobID)") }
        guard SpoolFile.isKept(original) else {
            throw ControlError(code: .unreadableFile, message: "job \(jobID)'s spooled file is gone (\(original.spoolPath): removed with the job, "
                + "or when it was cancelled before it started); submit \(original.name) again: `printedge jobs submit FILE --printer \(original.printerID)`")
        }
        return try storage { () throws(StoreError) in try store.reprintJob(jobID, atMS: WallClock.nowMS()) }
    }

    /// `jobs.show`: the job as `status` shows it (live while it runs), its events, and — for a
    /// job that ended — the time it printed, pauses left out.
    private func history(of jobID: Int64, on target: Printer) async throws(ControlError) -> JobHistory {
        let record = try storage { () throws(StoreError) in try store.job(id: jobID) }
        guard let record else { throw ControlError(code: .unknownJob, message: "there is no job \(jobID)") }
        let events = try storage { () throws(StoreError) in try store.events(jobID: jobID) }
        var job = await summary(record, printer: target)
        if job.printingSeconds == nil, let ended = record.endedAtMS {
            job.printingSeconds = JobTimeline(events: events).printingSeconds(nowMS: ended)
        }
        job.startedAtMS = job.startedAtMS ?? JobTimeline(events: events).startedAtMS
        return JobHistory(job: job, events: events.map {
            JobHistory.Event(kind: $0.kind.rawValue, fromState: $0.fromState?.rawValue, toState: $0.toState.rawValue, detail: $0.detail, atMS: $0.atMS)
        }, fileKept: SpoolFile.isKept(record))
    }

    /// The printer's status with its job as every view shows it (`JobSummary.fillRun`).
    private func liveStatus(_ printer: Printer) async -> PrinterStatus {
        var status = await printer.status()
        if var job = status.job {
            job.fillRun(from: timeline(of: job.id), temperatures: status.temperatures, printerState: status.state, nowMS: WallClock.nowMS())
            status.job = job
        }
        return status
    }

    /// A job the printer has just acted on: its live summary while it runs on `printer`,
    /// else the record, so a reply reads like the `status` that follows it.
    private func summary(_ record: JobRecord, printer: Printer) async -> JobSummary {
        if let live = await liveStatus(printer).job, live.id == record.id { return live }
        return JobSummary(record)
    }

    /// Without events (the database unreadable), the run's times are left out, not made up.
    private func timeline(of jobID: Int64) -> JobTimeline {
        JobTimeline(events: (try? store.events(jobID: jobID)) ?? [])
    }

    /// SQLite's online backup into the client's file (or, without one, a path this daemon
    /// can write), on a thread of its own: copying a large database takes seconds, which no
    /// thread of the cooperative pool may spend.
    private func backup(_ request: ControlRequest, file: PassedFile?) async throws(ControlError) -> BackupReport {
        let path = try required(request.path, "path", for: request)
        let destination: Store.BackupDestination
        if let file {
            destination = .descriptor(file.descriptor)
        } else {
            guard path.hasPrefix("/") else {
                throw ControlError(code: .badRequest, message: "`path` must be absolute: the daemon writes the backup itself when no file comes with the request")
            }
            destination = .file(path)
        }
        let store = self.store
        let outcome = await DedicatedThread.run { () -> Result<StoreFileSummary, StoreError> in
            Result { () throws(StoreError) in try withExtendedLifetime(file) { () throws(StoreError) in try store.backup(to: destination) } }
        }
        switch outcome {
        case .success(let summary):
            return BackupReport(database: store.path, path: path, sizeBytes: summary.sizeBytes, schema: summary.schema,
                                jobs: summary.jobs, jobEvents: summary.jobEvents, integrity: summary.integrity)
        case .failure(let error):
            throw ControlError(code: .storage, message: "the backup failed: \(error)")
        }
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
