#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeAgent
import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore
import Synchronization

/// One printer: its connection, its job and its telemetry, owned by one actor.
///
/// The serial loop runs on a thread of its own (`PrinterConnection`); this actor decides.
/// Every job state change is committed to the store before the printer is told anything,
/// so a crash at any point leaves a job state that says what the printer may have done.
/// Stopping is the exception when the store refuses writes (a full disk): a pause, a cancel
/// or an emergency stop never waits for the disk; its step is held in `backlog`, in order,
/// and written as soon as the store takes writes again. Starting, resuming and recovering
/// are refused meanwhile.
actor Printer {
    let setup: PrinterSetup
    private let store: Store
    private let telemetry: TelemetryRecorder
    private let logger: Logger
    /// The GPIO lines serving this printer (power relay, interlocks, LED); `nil` without `[gpio]`.
    private let hardware: GPIOPrinterLink?
    /// With a fleet link, every state change also queues a status snapshot in the outbox.
    private let publishesFleetStatus: Bool
    /// Where systemd's `STATUS=` line learns this printer's state.
    private let statusBoard: PrinterStatusBoard?
    private(set) var state = PrinterState.offline {
        didSet {
            guard state != oldValue else { return }
            reportActivity()
            statusBoard?.post(state, for: setup.id)
        }
    }
    private var connection: PrinterConnection? {
        didSet { emergencyLane.withLock { $0 = connection } }
    }
    /// The open connection, for `emergencyStopNow`: an emergency stop button reaches the port
    /// without waiting for this actor.
    private let emergencyLane = Mutex<PrinterConnection?>(nil)
    /// Why `emergencyStopNow` sent `M112`, until the job is aborted for it.
    private let pendingEmergencyStop = Mutex<String?>(nil)
    private var job: ActiveJob? {
        didSet { if (oldValue == nil) != (job == nil) { reportActivity() } }
    }
    private var lastError: String?
    private var firmware: String?
    private var flow: String?
    private var temperatures: [HeaterReading] = [] {
        didSet { reportActivity() }
    }
    /// For a printer found by its `match`: its USB device, or why it has none.
    private var usb: HotplugPrinterState?
    /// The node that went away under the open connection: its job fails as unplugged.
    private var unpluggedNode: String?
    /// The run loop's pause between connections, cut short by `wake`.
    private var wakeWaiter: CheckedContinuation<Void, Never>?
    private var wakeGeneration = 0
    private var lastSampleAt = MonotonicInstant.zero
    private var consoles: [Int: AsyncStream<ConsoleEvent>.Continuation] = [:]
    private var nextConsoleID = 0
    private var sends: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextSendTag: UInt64 = 0
    private let stopping = Atomic<Bool>(false)
    private var backlog = JobEventBacklog()
    private var nextBacklogAttempt = MonotonicInstant.zero

    /// The job the printer is working on, with what progress needs beyond the record.
    private struct ActiveJob {
        var record: JobRecord
        var layerStarts: [LayerStart]
        var progress = PrinterConnection.JobProgress()
        var startedAt: MonotonicInstant
        var pausePosition: PrinterConnection.JobPosition?
        /// The firmware paused by itself (`//action:paused`, a filament change): the protocol
        /// holds the stream until the printer resumes, and only the printer can resume.
        var heldByFirmware = false
        /// The printer's screen asked to resume while the pause was still parking.
        var resumeWhenParked = false
        /// What the stream's end means when it comes: the state already committed.
        var ending: JobState?
    }

    init(setup: PrinterSetup, store: Store, telemetry: TelemetryRecorder, logger: Logger, hardware: GPIOPrinterLink? = nil,
         publishesFleetStatus: Bool = false, statusBoard: PrinterStatusBoard? = nil) {
        self.setup = setup
        self.store = store
        self.telemetry = telemetry
        self.logger = logger
        self.hardware = hardware
        self.publishesFleetStatus = publishesFleetStatus
        self.statusBoard = statusBoard
        usb = setup.match.map(HotplugPrinterState.init)
    }

    // MARK: - Connection lifecycle

    /// Connects, serves, and reconnects with backoff until `stop`. A printer found by its
    /// match connects only while it has a device, and waits for the next one otherwise.
    func run() async {
        var backoff = Duration.seconds(1)
        recordPrinterState()
        reportActivity()
        while !stopping.load(ordering: .relaxed) {
            writeBacklog()
            guard let portPath = await nextPortPath() else { break }
            let connection: PrinterConnection
            do {
                var options = setup.connectionOptions
                options.port.path = portPath
                connection = try PrinterConnection(options: options)
            } catch {
                lastError = error.description
                break
            }
            self.connection = connection
            connection.setConsoleListening(!consoles.isEmpty)
            transition(to: .connecting)
            let (events, continuation) = AsyncStream<PrinterConnection.Event>.makeStream()
            async let ending = DedicatedThread.run {
                let ending = connection.run { continuation.yield($0) }
                continuation.finish()
                return ending
            }
            var becameReady = false
            for await event in events {
                if case .ready = event { becameReady = true }
                handle(event)
            }
            let end = await ending
            self.connection = nil
            firmware = nil
            if let unplugged = unplugReason() {
                lastError = unplugged
                transition(to: .offline)
            } else if case .failed(let reason) = end {
                lastError = reason
                transition(to: stopping.load(ordering: .relaxed) ? .offline : .error)
                broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: reason))
            } else {
                transition(to: .offline)
            }
            unpluggedNode = nil
            if stopping.load(ordering: .relaxed) { break }
            backoff = becameReady ? .seconds(1) : min(backoff * 2, .seconds(30))
            await pause(upTo: backoff)
        }
        transition(to: .offline)
        writeBacklog()
        if !backlog.isEmpty {
            logger.error("printer \(setup.id): \(backlog.count) job event(s) could not be written before stopping (\(backlog.refusal.map(String.init(describing:)) ?? "the store refused them")); at the next start the job shows as interrupted")
        }
        for (_, console) in consoles { console.finish() }
        consoles.removeAll()
        for (_, waiter) in sends { waiter.resume() }
        sends.removeAll()
    }

    /// Asks the connection to close between two lines; `run` returns once it has. Callable
    /// from a signal handler's task: it does not wait for the actor.
    nonisolated func stop() {
        stopping.store(true, ordering: .relaxed)
        Task { await self.closeConnection() }
    }

    private func closeConnection() {
        connection?.submit(.close)
        wake()
    }

    /// The node to open: the configured one, or for a printer found by its match the device
    /// it has now, waited for; `nil` once stopping.
    private func nextPortPath() async -> String? {
        guard usb != nil else { return setup.portPath }
        while !stopping.load(ordering: .relaxed) {
            if let node = usb?.nodeToOpen(exists: { access($0, F_OK) == 0 }) { return node }
            // A node found gone is looked at (a stat, never an open) once a second until
            // the hot-plug service moves the printer; without a device, only `wake` ends this.
            await pause(upTo: usb?.port == nil ? nil : .seconds(1))
        }
        return nil
    }

    /// Waits until `wake`, or until `limit` has passed.
    private func pause(upTo limit: Duration?) async {
        wakeGeneration += 1
        let generation = wakeGeneration
        let timer = limit.map { limit in
            Task { [weak self] in
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                await self?.wake(generation: generation)
            }
        }
        await withCheckedContinuation { wakeWaiter = $0 }
        timer?.cancel()
    }

    /// Ends the current `pause`; with a `generation`, only the pause it was set for.
    private func wake(generation: Int? = nil) {
        guard generation == nil || generation == wakeGeneration, let waiter = wakeWaiter else { return }
        wakeWaiter = nil
        waiter.resume()
    }

    /// A decision of the hot-plug service about this printer's device. An unplug closes the
    /// connection at once, so nothing waits on a vanished descriptor.
    func hotplug(_ action: HotplugAction) {
        guard usb != nil else { return }
        usb?.apply(action)
        if case .disconnect(_, let node) = action, let connection {
            unpluggedNode = node
            connection.submit(.close)
        }
        broadcast(ConsoleEvent(kind: "state", printer: setup.id, text: action.description))
        wake()
    }

    /// "printer unplugged: …" when this printer's device went away under its connection: the
    /// hot-plug service said so, or — when the connection noticed first — the node is gone.
    private func unplugReason() -> String? {
        if unpluggedNode == nil, let node = usb?.port?.deviceNode, access(node, F_OK) != 0 {
            unpluggedNode = node
            usb?.nodeWentAway()
        }
        return unpluggedNode.map { "printer unplugged: \($0) is gone" }
    }

    // MARK: - Events from the connection

    private func handle(_ event: PrinterConnection.Event) {
        recordEmergencyStop()
        let now = MonotonicInstant.now()
        if !backlog.isEmpty, now >= nextBacklogAttempt { writeBacklog() }
        switch event {
        case .ready(let info, _, let strategy):
            firmware = info?.firmwareName
            flow = strategy.rawValue
            lastError = nil
            transition(to: job == nil ? .idle : state)
            broadcast(ConsoleEvent(kind: "state", printer: setup.id,
                                   text: "connected: \(firmware ?? "unidentified firmware"), flow control \(strategy.rawValue)"))
        case .temperature(let report):
            let heaters = HeaterTemperature.readings(in: report)
            temperatures = heaters.map {
                HeaterReading(heater: $0.channel.rawValue, actualCelsius: $0.actualCelsius, targetCelsius: $0.targetCelsius)
            }
            sample(heaters, at: now)
        case .reply(let text):
            broadcast(ConsoleEvent(kind: "reply", printer: setup.id, text: text))
        case .sendCompleted(let tag):
            sends.removeValue(forKey: tag)?.resume()
        case .jobProgress(let progress):
            guard var current = job else { return }
            current.progress = progress
            job = current
            persistProgress(current)
        case .jobPaused(let position, let progress):
            guard var current = job else { return }
            current.progress = progress
            current.pausePosition = position
            let resumeNow = current.resumeWhenParked
            current.resumeWhenParked = false
            job = current
            persistProgress(current)
            transition(to: .paused)
            if resumeNow { carryOut(.resume) { () throws(ControlError) in _ = try resumeJob(detail: "resumed from the printer's screen") } }
        case .jobResumed:
            transition(to: .printing)
        case .jobCompleted(let progress):
            endJob(progress: progress, as: .completed, reason: nil)
        case .jobCancelled(let progress):
            endJob(progress: progress, as: .cancelled, reason: nil)
        case .jobFailed(let reason, let progress):
            let outcome: JobState = stopping.load(ordering: .relaxed) ? .interrupted : .failed
            endJob(progress: progress, as: outcome, reason: unplugReason() ?? reason)
        case .hostAction(let action):
            hostAction(action)
        case .firmwareMessage(let text):
            broadcast(ConsoleEvent(kind: "message", printer: setup.id, text: text))
        case .firmwareError(let text):
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: text))
        }
    }

    /// `//action:` from the printer's own screen, carried out as the user's own pause, resume
    /// and cancel are (the job is parked and resumes from the exact next line). `paused` and
    /// `resumed` say the firmware did it by itself; the job follows.
    private func hostAction(_ action: HostAction) {
        guard let current = job, current.ending == nil else { return }
        switch action {
        case .pause:
            guard current.record.state == .printing, state == .printing else { return }
            carryOut(action) { () throws(ControlError) in _ = try pauseJob(detail: "paused from the printer's screen") }
        case .paused:
            guard current.record.state == .printing else { return }
            job?.heldByFirmware = true
            record(current.record.id, to: .paused, kind: .paused, detail: "the printer paused by itself (//action:paused)")
            transition(to: .paused)
        case .resume, .resumed:
            if current.heldByFirmware {
                job?.heldByFirmware = false
                record(current.record.id, to: .printing, kind: .resumed, detail: "the printer resumed by itself (//action:\(action))")
                transition(to: .printing)
            } else if action == .resume, current.record.state == .paused {
                guard current.pausePosition != nil else {
                    job?.resumeWhenParked = true
                    return
                }
                carryOut(action) { () throws(ControlError) in _ = try resumeJob(detail: "resumed from the printer's screen") }
            }
        case .cancel:
            carryOut(action) { () throws(ControlError) in _ = try cancelJob(detail: "cancelled from the printer's screen") }
        case .disconnect, .other:
            break
        }
    }

    /// The printer asked; a refusal (a resume while the disk is full) goes to the consoles.
    private func carryOut(_ action: HostAction, _ body: () throws(ControlError) -> Void) {
        do {
            try body()
        } catch {
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: "the printer's \(action) could not be carried out: \(error)"))
        }
    }

    /// The stream of a job ended: the outcome is committed (unless a cancel or an emergency
    /// stop already committed its own), and the printer is free.
    private func endJob(progress: PrinterConnection.JobProgress, as outcome: JobState, reason: String?) {
        guard var current = job else { return }
        current.progress = progress
        job = current
        persistProgress(current)
        let final = current.ending ?? outcome
        if current.record.state == .paused, final == .completed {
            record(current.record.id, to: .printing, kind: .resumed, detail: "the pause came after the last line was sent: the job ran to its end")
        }
        if job?.record.state != final {
            record(current.record.id, to: final, kind: nil, detail: reason)
        }
        job = nil
        broadcast(ConsoleEvent(kind: "job", printer: setup.id, text: "job \(current.record.id ?? 0) \(final.rawValue)" + (reason.map { ": \($0)" } ?? "")))
        if connection != nil, state != .error, state != .connecting { transition(to: .idle) }
    }

    // MARK: - Jobs

    func startJob(id: Int64) async throws(ControlError) -> JobRecord {
        let record = try loadJob(id)
        guard record.printerID == setup.id else {
            throw ControlError(code: .refused, message: "job \(id) belongs to printer \(record.printerID), not \(setup.id)")
        }
        guard record.state == .queued else {
            throw ControlError(code: .refused, message: "job \(id) is \(record.state.rawValue); only a queued job can be started (use `printedge jobs recover \(id)` for an interrupted one)")
        }
        return try await whenHardwareAllows { () throws(ControlError) in
            try begin(record, feed: PrinterConnection.JobFeed(path: record.spoolPath, prologue: setup.startScript,
                                                              maxFramedBytes: setup.maxFramedBytes),
                      kind: .started, detail: nil)
        }
    }

    /// Restarts an interrupted job from the start of the layer it was in: heat, home X and
    /// Y, restore Z and E, then the file from that layer's first line.
    func recoverJob(id: Int64) async throws(ControlError) -> JobRecord {
        let record = try loadJob(id)
        guard record.state == .interrupted else {
            throw ControlError(code: .refused, message: "job \(id) is \(record.state.rawValue); only an interrupted job can be recovered")
        }
        return try await whenHardwareAllows { () throws(ControlError) in try resume(interrupted: record) }
    }

    /// Runs `begin` once the GPIO lines allow a job: no interlock refuses it (emergency stop,
    /// door, filament), and the printer's relay is on with the printer connected (switched
    /// on and waited for when it was off). Without `[gpio]`, or with a job already here (which
    /// `begin` refuses), at once.
    private func whenHardwareAllows(_ begin: () throws(ControlError) -> JobRecord) async throws(ControlError) -> JobRecord {
        guard let hardware, job == nil else { return try begin() }
        if let refusal = hardware.startRefusal() {
            throw ControlError(code: .refused, message: "printer \(setup.id): \(refusal)")
        }
        try await hardware.powerForJob()
        do {
            return try begin()
        } catch {
            // Another start may have won the printer meanwhile: its job still needs the power.
            if job == nil { hardware.jobAbandoned() }
            throw error
        }
    }

    private func resume(interrupted record: JobRecord) throws(ControlError) -> JobRecord {
        let id = record.id ?? 0
        let layer: JobLayerRecord?
        do {
            layer = try store.layer(containingSourceLine: record.lastAckedSourceLine, jobID: id)
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
        guard let layer else {
            // Nothing of the first layer was handled: starting over is the recovery.
            return try begin(record, feed: .init(path: record.spoolPath, maxFramedBytes: setup.maxFramedBytes),
                             kind: .recovered, detail: "restarted from the beginning (no layer was reached)")
        }
        let state = layer.resumeJSON.flatMap { JSONText.decode(GCodeMachineState.self, from: $0) } ?? GCodeMachineState()
        let prologue = ResumePrologue.lines(toResume: state, options: .init(situation: .afterCrash, printedHeightMM: record.currentZMM))
        let feed = PrinterConnection.JobFeed(path: record.spoolPath, startByteOffset: Int(layer.byteOffset),
                                             linesBefore: layer.sourceLine - 1, prologue: prologue,
                                             maxFramedBytes: setup.maxFramedBytes)
        return try begin(record, feed: feed, kind: .recovered,
                         detail: "from layer \(layer.layer) (Z \(layer.zMM) mm, line \(layer.sourceLine)); last acknowledged line was \(record.lastAckedSourceLine)")
    }

    private func begin(_ record: JobRecord, feed: PrinterConnection.JobFeed, kind: JobEventKind, detail: String?) throws(ControlError) -> JobRecord {
        guard let connection, state == .idle else {
            throw ControlError(code: state == .offline || state == .connecting || state == .error ? .notConnected : .busy,
                               message: "printer \(setup.id) is \(state.rawValue)" + (lastError.map { " (\($0))" } ?? "") + "; a job starts on an idle printer")
        }
        let started = try commitOrThrow(record.id, to: .printing, kind: kind, detail: detail)
        let layerStarts = (try? store.layerStarts(jobID: record.id ?? 0)) ?? []
        job = ActiveJob(record: started, layerStarts: layerStarts, startedAt: .now())
        connection.submit(.startJob(feed))
        transition(to: .printing)
        return started
    }

    /// Stops feeding at once, then parks. Never waits for the disk (see the type's comment).
    func pauseJob(detail: String = "paused by the user") throws(ControlError) -> JobRecord {
        guard let current = job, current.record.state == .printing, current.ending == nil, let connection else {
            throw ControlError(code: .refused, message: "printer \(setup.id) is not printing")
        }
        let record = recordStop(current.record, to: .paused, kind: .paused, detail: detail)
        connection.submit(.pause(park: setup.pauseScript))
        transition(to: .finishing)
        return record
    }

    func resumeJob(detail: String? = nil) throws(ControlError) -> JobRecord {
        guard let current = job, current.record.state == .paused, current.ending == nil, let connection else {
            throw ControlError(code: .refused, message: "printer \(setup.id) has no paused job")
        }
        guard !current.heldByFirmware else {
            throw ControlError(code: .refused, message: "the printer paused the job by itself (a filament change, say): resume it on the printer's screen")
        }
        if let refusal = hardware?.resumeRefusal() {
            throw ControlError(code: .refused, message: "printer \(setup.id): \(refusal)")
        }
        guard let position = current.pausePosition else {
            throw ControlError(code: .refused, message: "the job is still parking after its pause; resume it once `printedge status` shows it paused")
        }
        let record = try commitOrThrow(current.record.id, to: .printing, kind: .resumed, detail: detail)
        var restore = setup.resumeScript
        restore += ResumePrologue.lines(toResume: position.machineState, options: .init(situation: .afterPause))
        connection.submit(.resume(restore: restore))
        job?.pausePosition = nil
        return record
    }

    /// Stops feeding, quick-stops, then the cancel G-code. Never waits for the disk.
    func cancelJob(detail: String = "cancelled by the user") throws(ControlError) -> JobRecord {
        guard let current = job, current.ending == nil, let connection else {
            throw ControlError(code: .refused, message: "printer \(setup.id) has no job to cancel")
        }
        let record = recordStop(current.record, to: .cancelled, kind: .cancelled, detail: detail)
        job?.ending = .cancelled
        connection.submit(.cancel(script: setup.cancelScript))
        transition(to: .finishing)
        return record
    }

    /// `M112` at once, ahead of everything queued. The job is aborted first in the store, but
    /// the stop itself never waits for the disk.
    func emergencyStop(detail: String = "emergency stop") {
        connection?.submit(.emergencyStop)
        if let current = job, current.ending == nil {
            job?.ending = .aborted
            record(current.record.id, to: .aborted, kind: .aborted, detail: detail)
        }
        broadcast(ConsoleEvent(kind: "state", printer: setup.id, text: "EMERGENCY STOP sent (M112)"))
    }

    /// `M112` handed straight to the open connection, from any thread: the emergency stop
    /// button's path, which must not queue behind this actor's work. The job is aborted with
    /// `cause` by whichever comes first: `recordEmergencyStop`, or the next event of the
    /// connection (the halt ends it, and its job must not read as merely failed).
    nonisolated func emergencyStopNow(cause: String) {
        pendingEmergencyStop.withLock { $0 = cause }
        emergencyLane.withLock { $0?.submit(.emergencyStop) }
    }

    /// Aborts the job for the stop `emergencyStopNow` sent, once.
    func recordEmergencyStop() {
        guard let cause = pendingEmergencyStop.withLock({ $0.take() }) else { return }
        if let current = job, current.ending == nil {
            job?.ending = .aborted
            record(current.record.id, to: .aborted, kind: .aborted, detail: cause)
        }
        broadcast(ConsoleEvent(kind: "state", printer: setup.id, text: "EMERGENCY STOP sent (M112): \(cause)"))
    }

    /// The user's own G-code; returns once every line was handled by the firmware.
    func send(_ lines: [String]) async throws(ControlError) {
        guard let connection, state != .connecting else {
            throw ControlError(code: .notConnected, message: "printer \(setup.id) is \(state.rawValue)" + (lastError.map { " (\($0))" } ?? ""))
        }
        nextSendTag += 1
        let tag = nextSendTag
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            sends[tag] = continuation
            connection.submit(.send(lines: lines, tag: tag))
        }
    }

    private func loadJob(_ id: Int64) throws(ControlError) -> JobRecord {
        let record: JobRecord?
        do {
            record = try store.job(id: id)
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
        guard let record else { throw ControlError(code: .unknownJob, message: "there is no job \(id)") }
        return record
    }

    /// For a step the printer has not taken yet (start, resume, recover): committed first,
    /// or refused, behind any held steps.
    private func commitOrThrow(_ id: Int64?, to next: JobState, kind: JobEventKind, detail: String?) throws(ControlError) -> JobRecord {
        writeBacklog()
        if let refusal = backlog.refusal, !backlog.isEmpty {
            throw ControlError(code: .storage, message: "\(backlog.count) earlier job event(s) of printer \(setup.id) are still waiting to be written: \(refusal); nothing was done")
        }
        do {
            let record = try store.transition(jobID: id ?? 0, to: next, kind: kind, detail: detail, atMS: WallClock.nowMS())
            job?.record = record
            return record
        } catch {
            throw ControlError(code: .storage, message: "\(error); nothing was done")
        }
    }

    /// A stop about to be carried out: recorded, or held while the store refuses writes.
    private func recordStop(_ current: JobRecord, to next: JobState, kind: JobEventKind, detail: String) -> JobRecord {
        record(current.id, to: next, kind: kind, detail: detail)
        var stopped = current
        stopped.state = next
        return stopped
    }

    /// For steps the printer has taken: the job's state follows at once, and the step is
    /// written now or held in the backlog until the store takes writes again.
    private func record(_ id: Int64?, to next: JobState, kind: JobEventKind?, detail: String?) {
        guard let id else { return }
        if job?.record.id == id { job?.record.state = next }
        backlog.append(.init(jobID: id, state: next, kind: kind, detail: detail, atMS: WallClock.nowMS()))
        writeBacklog()
        if let refusal = backlog.refusal {
            let text = "job \(id) \(next.rawValue): held in memory until the store takes writes again (\(refusal)); \(backlog.count) job event(s) waiting"
            logger.warning("printer \(setup.id): \(text)")
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: text))
        }
    }

    /// Writes held steps, oldest first; at most once a second while the store refuses them.
    private func writeBacklog() {
        guard !backlog.isEmpty else { return }
        nextBacklogAttempt = .now() + .seconds(1)
        let wasRefused = backlog.refusal != nil
        let store = self.store
        let outcome = backlog.write { step throws(StoreError) in
            try store.transition(jobID: step.jobID, to: step.state, kind: step.kind, detail: step.detail, atMS: step.atMS)
        }
        for (step, error) in outcome.rejected {
            let text = "job \(step.jobID) could not be recorded as \(step.state.rawValue): \(error)"
            logger.error("printer \(setup.id): \(text)")
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: text))
        }
        if wasRefused, backlog.isEmpty {
            logger.notice("printer \(setup.id): the job events held while the store refused writes are recorded (\(outcome.recorded.count))")
        }
    }

    /// Job events waiting to be written, and why.
    func backlogStatus() -> (count: Int, refusal: StoreError?) {
        (backlog.count, backlog.refusal)
    }

    private func persistProgress(_ current: ActiveJob) {
        guard let id = current.record.id else { return }
        let layer = current.layerStarts.layer(atByteOffset: Int64(current.progress.acknowledgedByteOffset))
        try? store.recordProgress(jobID: id, lastAckedSourceLine: current.progress.acknowledgedSourceLine,
                                  lastAckedByte: Int64(current.progress.acknowledgedByteOffset),
                                  ackedCommands: current.progress.linesSent, zMM: current.progress.zMM, layer: layer)
    }

    // MARK: - Status, consoles, telemetry

    func status() -> PrinterStatus {
        PrinterStatus(id: setup.id, name: setup.name, state: state.rawValue, port: usb?.displayName ?? setup.portPath,
                      firmware: firmware, flow: flow, error: lastError, temperatures: temperatures,
                      job: job.map { summary(of: $0) }, device: usb?.status)
    }

    private func summary(of current: ActiveJob) -> JobSummary {
        var summary = JobSummary(current.record)
        summary.acknowledgedSourceLine = current.progress.acknowledgedSourceLine
        summary.acknowledgedBytes = Int64(current.progress.acknowledgedByteOffset)
        summary.zMM = current.progress.zMM
        summary.fraction = current.record.sizeBytes > 0 ? Double(current.progress.acknowledgedByteOffset) / Double(current.record.sizeBytes) : 0
        let elapsed = Double((MonotonicInstant.now() - current.startedAt) / .seconds(1))
        if summary.fraction > 0.01 && summary.fraction < 1 {
            summary.etaSeconds = elapsed * (1 - summary.fraction) / summary.fraction
        }
        return summary
    }

    func openConsole() -> (Int, AsyncStream<ConsoleEvent>) {
        let (stream, continuation) = AsyncStream<ConsoleEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        nextConsoleID += 1
        consoles[nextConsoleID] = continuation
        connection?.setConsoleListening(true)
        return (nextConsoleID, stream)
    }

    func closeConsole(_ id: Int) {
        consoles.removeValue(forKey: id)?.finish()
        if consoles.isEmpty { connection?.setConsoleListening(false) }
    }

    private func broadcast(_ event: ConsoleEvent) {
        for (_, console) in consoles { console.yield(event) }
    }

    private func sample(_ heaters: [HeaterTemperature], at now: MonotonicInstant) {
        let interval = state == .printing ? setup.sampleIntervalPrinting : setup.sampleIntervalIdle
        guard now - lastSampleAt >= interval else { return }
        lastSampleAt = now
        let at = WallClock.nowMS()
        var samples = heaters.map {
            TelemetrySample(printerID: setup.id, atMS: at, channel: $0.channel, value: $0.actualCelsius,
                            target: $0.targetCelsius, jobID: job?.record.id)
        }
        if let current = job, current.record.sizeBytes > 0 {
            samples.append(TelemetrySample(printerID: setup.id, atMS: at, channel: .progress,
                                           value: Double(current.progress.acknowledgedByteOffset) / Double(current.record.sizeBytes),
                                           target: nil, jobID: current.record.id))
            if let z = current.progress.zMM {
                samples.append(TelemetrySample(printerID: setup.id, atMS: at, channel: .z, value: z, target: nil, jobID: current.record.id))
            }
        }
        let telemetry = self.telemetry
        Task { await telemetry.record(samples, atMS: at) }
    }

    private func transition(to next: PrinterState) {
        guard next != state else { return }
        state = next
        recordPrinterState()
        broadcast(ConsoleEvent(kind: "state", printer: setup.id, text: next.rawValue))
    }

    private func recordPrinterState() {
        let fleetStatus = publishesFleetStatus ? FleetStatusPayload(status()).json : nil
        try? store.setPrinterState(id: setup.id, state: state.rawValue, atMS: WallClock.nowMS(), fleetStatus: fleetStatus)
    }

    /// The fleet link's heartbeat: a status snapshot with the temperatures of the moment, even
    /// without a state change. Lost if the store refuses it; the next one replaces it anyway.
    func recordStatusSnapshot() {
        guard publishesFleetStatus, let payload = FleetStatusPayload(status()).json else { return }
        _ = try? store.appendOutbox(printerID: setup.id, kind: .status, payload: payload, atMS: WallClock.nowMS())
    }

    /// Tells the GPIO service what the LED, the relay's idle time and its temperature guard
    /// need. Hotend temperatures count only while the printer answers: stale ones could let a
    /// relay cut a hot printer.
    private func reportActivity() {
        guard let hardware else { return }
        let answering = connection != nil && [.idle, .printing, .paused, .finishing].contains(state)
        let hotends = temperatures.filter { $0.heater.hasPrefix("T") }.map(\.actualCelsius)
        hardware.report(PrinterActivity(state: state, hasJob: job != nil, hotendCelsius: answering && !hotends.isEmpty ? hotends : nil))
    }
}
