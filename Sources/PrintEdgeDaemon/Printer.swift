#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeAgent
import PrintEdgeCalibration
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
    /// A virtual printer's simulator, asked before each connection whether it still runs.
    private let virtualBoards: VirtualBoards?
    /// With a fleet link, every state change also queues a status snapshot in the outbox.
    private let publishesFleetStatus: Bool
    /// Where systemd's `STATUS=` line learns this printer's state.
    private let statusBoard: PrinterStatusBoard?
    /// This printer's series on `/metrics`; `nil` without the HTTP listener.
    private let metrics: PrinterMetrics?
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
    /// The serial traffic of every connection: to the `serial_log` file if configured, and to
    /// whoever follows it (`printedge log serial --follow`).
    private let wireLog: SerialLog
    private var wireFollowers: [Int: AsyncStream<String>.Continuation] = [:]
    private var consoles: [Int: AsyncStream<ConsoleEvent>.Continuation] = [:]
    private var nextConsoleID = 0
    private var sends: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// Sends whose connection ended before their lines were all handled.
    private var cutSends: Set<UInt64> = []
    /// The replies each `send` collects until its lines were handled, and whether it asked
    /// for temperatures (`M105`).
    private var sendReplies: [UInt64: (lines: [String], askedForTemperatures: Bool)] = [:]
    private var positionQueries: [UInt64: CheckedContinuation<FirmwarePosition?, Never>] = [:]
    private var nextSendTag: UInt64 = 0
    /// The firmware rebooted since this daemon started (a `start` banner at a handshake, or
    /// mid-connection): a job interrupted before then cannot trust the printer's position.
    private var firmwareRebooted = false
    private let stopping = Atomic<Bool>(false)
    private var backlog = JobEventBacklog()
    private var nextBacklogAttempt = MonotonicInstant.zero
    /// The calibration running (`CalibrationDriver`): it holds the printer until it ends.
    private var calibration: CalibrationDriver? {
        didSet { if (oldValue == nil) != (calibration == nil) { reportActivity() } }
    }
    /// A calibration's stop lines the link was down for: the first thing sent once it is back.
    private var calibrationSafeStop: SafeStop?
    /// `M115`'s capabilities at the last handshake (`Cap:EEPROM`, `Cap:EMERGENCY_PARSER`).
    private var capabilities: [String: Bool] = [:]
    /// While `halted`: why and since when. The run loop opens nothing until a reset clears it.
    private var halt: PrinterHalt?
    /// Who sent the last `M112` from this host: the halt it causes is theirs.
    private var emergencyStopCause: String?
    /// When `temperatures` were read: shown with them once the link is down.
    private var temperaturesAtMS: Int64?
    /// A reset (`reset`) is under way: the next connection opens at once, pulsing DTR unless
    /// the board was reset another way (a virtual printer's simulator).
    private var resetRequested = false
    private var resetPulsesDTR = false
    /// Connections opened so far; a reset waits for one opened after it to answer or end.
    private var connectionsOpened = 0
    private var resetWaiters: [Int: (afterConnection: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextResetWaiter = 0

    /// The job the printer is working on: its record, its lifecycle (`JobSession` decides what
    /// each request and link event means) and what progress needs beyond the record.
    private struct ActiveJob {
        var record: JobRecord
        var session: JobSession
        var progress = PrinterConnection.JobProgress()
        var startedAt: MonotonicInstant
    }

    init(setup: PrinterSetup, store: Store, telemetry: TelemetryRecorder, logger: Logger, hardware: GPIOPrinterLink? = nil,
         virtualBoards: VirtualBoards? = nil, publishesFleetStatus: Bool = false, statusBoard: PrinterStatusBoard? = nil,
         metrics: PrinterMetrics? = nil) {
        self.setup = setup
        self.store = store
        self.telemetry = telemetry
        self.logger = logger
        self.hardware = hardware
        self.virtualBoards = virtualBoards
        self.publishesFleetStatus = publishesFleetStatus
        self.statusBoard = statusBoard
        self.metrics = metrics
        usb = setup.match.map(HotplugPrinterState.init)
        var wireLog = SerialLog()
        if let path = setup.serialLogPath {
            do {
                wireLog = try SerialLog(path: path, maxFileBytes: setup.serialLogMaxBytes)
            } catch {
                logger.error("printer \(setup.id): \(error); the serial traffic is not kept (`printedge log serial --follow` still shows it)")
            }
        }
        self.wireLog = wireLog
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
            if let exited = virtualBoards?.exitedSimulator(of: setup.id) {
                // Nothing to open (its link is gone) until `reset` starts it again and wakes this.
                lastError = exited
                transition(to: .offline)
                await pause(upTo: nil)
                continue
            }
            let connection: PrinterConnection
            do {
                var options = setup.connectionOptions
                options.port.path = portPath
                // Marlin boards reset when DTR drops (the Arduino auto-reset circuit).
                if resetPulsesDTR { options.port.toggleDTROnOpen = true }
                resetPulsesDTR = false
                resetRequested = false
                connection = try PrinterConnection(options: options)
            } catch {
                lastError = error.description
                break
            }
            connectionsOpened += 1
            self.connection = connection
            connection.setConsoleListening(!consoles.isEmpty)
            connection.setWireLog(wireLog)
            wireLog.note("opening \(portPath)", at: .now())
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
            wireLog.note(end == .closed ? "closed" : "connection ended: \(end)", at: .now())
            wireLog.flush()
            metrics?.linkEnded(end)
            self.connection = nil
            perform(calibration?.linkLost() ?? [])
            firmware = nil
            for (_, waiter) in positionQueries { waiter.resume(returning: nil) }
            positionQueries.removeAll()
            for (tag, waiter) in sends {
                cutSends.insert(tag)
                waiter.resume()
            }
            sends.removeAll()
            if case .failed(.protocolFailure(.firmwareReset)) = end { firmwareRebooted = true }
            if let unplugged = unplugReason() {
                lastError = unplugged
                transition(to: .offline)
            } else if !stopping.load(ordering: .relaxed), let halted = haltSeen(in: end) {
                halt = halted
                lastError = halted.reason
                transition(to: .halted)
                logger.warning("printer \(setup.id): halted: \(halted.reason); not reconnecting until `printedge reset --printer \(setup.id)`")
                broadcast(ConsoleEvent(kind: "error", printer: setup.id,
                                       text: "halted: \(halted.reason); `printedge reset --printer \(setup.id)` restarts its firmware"))
            } else if case .failed(let failure) = end {
                var reason = failure.description
                if case .protocolFailure(.noResponse) = failure {
                    reason += "; if its firmware halted (an emergency stop before this daemon started), `printedge reset --printer \(setup.id)` restarts it"
                }
                lastError = reason
                transition(to: stopping.load(ordering: .relaxed) ? .offline : .error)
                broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: reason))
            } else {
                transition(to: .offline)
            }
            unpluggedNode = nil
            resumeResetWaiters(upTo: connectionsOpened)
            if stopping.load(ordering: .relaxed) { break }
            // A halted firmware ignores the host: reconnecting would only fail the handshake
            // over and over. Only `reset` (or stopping) ends this wait.
            while halt != nil, !stopping.load(ordering: .relaxed) { await pause(upTo: nil) }
            if stopping.load(ordering: .relaxed) { break }
            backoff = becameReady ? .seconds(1) : min(backoff * 2, .seconds(30))
            // A reset asked for while this connection was open: the next one opens at once.
            if resetRequested {
                backoff = .seconds(1)
                continue
            }
            await pause(upTo: backoff)
        }
        resumeResetWaiters(upTo: .max)
        transition(to: .offline)
        writeBacklog()
        if !backlog.isEmpty {
            logger.error("printer \(setup.id): \(backlog.count) job event(s) could not be written before stopping (\(backlog.refusal.map(String.init(describing:)) ?? "the store refused them")); at the next start the job shows as interrupted")
        }
        for (_, console) in consoles { console.finish() }
        consoles.removeAll()
        for (_, follower) in wireFollowers { follower.finish() }
        wireFollowers.removeAll()
        for (_, waiter) in sends { waiter.resume() }
        sends.removeAll()
        for (_, waiter) in positionQueries { waiter.resume(returning: nil) }
        positionQueries.removeAll()
    }

    /// Asks the connection to close between two lines; `run` returns once it has. Callable
    /// from a signal handler's task: it does not wait for the actor.
    nonisolated func stop() {
        stopping.store(true, ordering: .relaxed)
        Task { await self.closeConnection() }
    }

    private func closeConnection() async {
        await stopCalibrationBeforeClosing()
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
        metrics?.observe(event)
        recordEmergencyStop()
        let now = MonotonicInstant.now()
        if !backlog.isEmpty, now >= nextBacklogAttempt { writeBacklog() }
        switch event {
        case .ready(let info, let capabilities, let strategy, let rebooted):
            self.capabilities = capabilities
            sendCalibrationSafeStop()
            if rebooted {
                firmwareRebooted = true
                logger.notice("printer \(setup.id): the firmware rebooted while connecting (a `start` banner): it has lost its position")
            }
            firmware = info?.firmwareName
            flow = strategy.rawValue
            lastError = nil
            transition(to: job == nil ? .idle : state)
            resumeResetWaiters(upTo: connectionsOpened)
            broadcast(ConsoleEvent(kind: "state", printer: setup.id,
                                   text: "connected: \(firmware ?? "unidentified firmware"), flow control \(strategy.rawValue)"))
        case .temperature(let report):
            let heaters = HeaterTemperature.readings(in: report)
            temperatures = heaters.map {
                HeaterReading(heater: $0.channel.rawValue, actualCelsius: $0.actualCelsius, targetCelsius: $0.targetCelsius)
            }
            temperaturesAtMS = WallClock.nowMS()
            sample(heaters, at: now)
        case .reply(let text):
            if calibration != nil { perform(calibration?.lineReceived(text) ?? []) }
            broadcast(ConsoleEvent(kind: "reply", printer: setup.id, text: text))
            for (tag, collected) in sendReplies where FirmwareReply.isWorthShowing(text, askedForTemperatures: collected.askedForTemperatures) {
                sendReplies[tag]?.lines.append(text)
            }
        case .ignoredBeforeHandshake(let text):
            logger.info("printer \(setup.id): ignored a reply from before this connection: \(text)")
        case .positionReported(let tag, let position):
            positionQueries.removeValue(forKey: tag)?.resume(returning: position)
        case .layerReached(let layer, let progress):
            guard var current = job else { return }
            current.progress = progress
            current.record.currentLayer = layer
            job = current
            // Written before the layer's first line goes out: a crash from here on recovers
            // from this layer, and never from an earlier one the printer has left.
            persistProgress(current)
            connection?.submit(.layerRecorded(layer))
        case .layerPrinted(let layer):
            guard var current = job, let id = current.record.id, layer > current.record.printedLayer ?? -1 else { return }
            current.record.printedLayer = layer
            job = current
            try? store.recordPrintedLayer(jobID: id, layer: layer)
        case .sendCompleted(let tag):
            if let outcome = calibration?.sendCompleted(tag: tag), outcome.handled {
                perform(outcome.effects)
                return
            }
            sends.removeValue(forKey: tag)?.resume()
        case .jobProgress(let progress):
            guard var current = job else { return }
            current.progress = progress
            job = current
            persistProgress(current)
        case .jobPaused(let position, let progress):
            guard var current = job else { return }
            current.progress = progress
            let parked = current.session.parked(at: position)
            job = current
            persistProgress(current)
            if let id = current.record.id, let height = position.parkedZMM {
                try? store.recordParkedHeight(jobID: id, zMM: height)
            }
            switch parked {
            case .ignore:
                break
            case .show(let display):
                show(display)
            case .showAndResume(let display):
                show(display)
                answerPrinter { () throws(ControlError) in _ = try resumeJob(detail: "resumed from the printer's screen") }
            }
        case .jobCompleted(let progress):
            endJob(progress: progress, .completed)
        case .jobCancelled(let progress):
            endJob(progress: progress, .cancelled)
        case .jobFailed(let reason, let progress):
            endJob(progress: progress, .failed(reason: unplugReason() ?? reason))
        case .hostAction(let action):
            hostAction(action)
        case .firmwareMessage(let text):
            broadcast(ConsoleEvent(kind: "message", printer: setup.id, text: text))
        case .firmwareError(let text):
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: text))
        case .timeout(let consecutive):
            logger.info("printer \(setup.id): no answer; sending the oldest unacknowledged line again (\(consecutive))")
        case .linkProgress:
            break
        }
    }

    /// `//action:` from the printer's own screen, carried out as the user's own pause, resume
    /// and cancel are (the job is parked and resumes from the exact next line); `paused` and
    /// `resumed` say the firmware did it by itself, and the job follows.
    private func hostAction(_ action: HostAction) {
        guard var current = job else { return }
        let result = current.session.hostAction(action)
        job = current
        switch result {
        case .ignore:
            break
        case .pause(let pause):
            answerPrinter { () throws(ControlError) in _ = try carryOut(pause) }
        case .resume(let resume):
            answerPrinter { () throws(ControlError) in _ = try carryOut(resume) }
        case .cancel(let cancel):
            answerPrinter { () throws(ControlError) in _ = try carryOut(cancel) }
        case .record(let step, let display):
            record(step)
            show(display)
        }
    }

    /// The printer asked; a refusal (a resume while the disk is full) goes to the consoles.
    private func answerPrinter(_ body: () throws(ControlError) -> Void) {
        do {
            try body()
        } catch {
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: "the printer's request was refused: \(error.message)"))
        }
    }

    /// The stream of a job ended: its outcome is recorded (unless a cancel or an emergency
    /// stop already recorded its own), and the printer is free.
    private func endJob(progress: PrinterConnection.JobProgress, _ end: JobSession.StreamEnd) {
        guard var current = job else { return }
        current.progress = progress
        let steps = current.session.streamEnded(end, daemonStopping: stopping.load(ordering: .relaxed))
        job = current
        persistProgress(current)
        for step in steps { record(step) }
        metrics?.jobEnded(current.session.recorded)
        job = nil
        let reason = if case .failed(let reason) = end { ": \(reason)" } else { "" }
        broadcast(ConsoleEvent(kind: "job", printer: setup.id, text: "job \(current.record.id ?? 0) \(current.session.recorded.rawValue)\(reason)"))
        if connection != nil, state != .error, state != .connecting { transition(to: .idle) }
    }

    private func show(_ display: JobSession.Display) {
        switch display {
        case .printing: transition(to: .printing)
        case .finishing: transition(to: .finishing)
        case .paused: transition(to: .paused)
        }
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

    /// Restarts an interrupted job from the start of the layer it was in: heat, lift, home X
    /// and Y, then the file from that layer's first line. Where the head is comes from the
    /// printer (`M114`) when it kept its position, else the height reached is declared; see
    /// `ResumePrologue` and docs/gcode-analysis.md.
    func recoverJob(id: Int64) async throws(ControlError) -> JobRecord {
        let record = try loadJob(id)
        guard record.state == .interrupted else {
            throw ControlError(code: .refused, message: "job \(id) is \(record.state.rawValue); only an interrupted job can be recovered")
        }
        let layer = try recoveryLayer(of: record)
        return try await whenHardwareAllows { () async throws(ControlError) in try await resume(interrupted: record, at: layer) }
    }

    /// The layer a recovery restarts: the highest one whose first line may have been sent.
    /// A job stopped before its first layer printed anything has nothing on the bed to save.
    private func recoveryLayer(of record: JobRecord) throws(ControlError) -> JobLayerRecord {
        let id = record.id ?? 0
        let layer: JobLayerRecord?
        do {
            layer = try record.currentLayer.flatMap { index throws(StoreError) in try store.layer(index, jobID: id) }
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
        let restart = "nothing of it was printed, so there is nothing to recover: cancel it (`printedge jobs cancel \(id)`) and print it again from the start"
        guard let layer else {
            throw ControlError(code: .refused, message: "job \(id) stopped before its first layer; \(restart)")
        }
        if layer.layer == 0, record.lastAckedSourceLine < (layer.firstPrintSourceLine ?? layer.sourceLine) {
            throw ControlError(code: .refused, message: "job \(id) stopped before the first layer's first extrusion (line \(layer.firstPrintSourceLine ?? layer.sourceLine)); \(restart)")
        }
        return layer
    }

    /// Runs `begin` once the GPIO lines allow a job: no interlock refuses it (emergency stop,
    /// door, filament), and the printer's relay is on with the printer connected (switched
    /// on and waited for when it was off). Without `[gpio]`, or with a job already here (which
    /// `begin` refuses), at once.
    private func whenHardwareAllows(_ begin: () async throws(ControlError) -> JobRecord) async throws(ControlError) -> JobRecord {
        guard let hardware, job == nil else { return try await begin() }
        if let refusal = hardware.startRefusal() {
            throw ControlError(code: .refused, message: "printer \(setup.id): \(refusal)")
        }
        // Powering a halted printer on would not bring it back: it waits for `reset`.
        if halt != nil { throw notIdle() }
        try await hardware.powerForJob()
        do {
            return try await begin()
        } catch {
            // Another start may have won the printer meanwhile: its job still needs the power.
            if job == nil { hardware.jobAbandoned() }
            throw error
        }
    }

    private func resume(interrupted record: JobRecord, at layer: JobLayerRecord) async throws(ControlError) -> JobRecord {
        guard connection != nil, state == .idle else { throw notIdle() }
        let state = layer.resumeJSON.flatMap { JSONText.decode(GCodeMachineState.self, from: $0) } ?? GCodeMachineState()
        let head = await headPosition(of: record, layer: layer, state: state)
        let printedHeight = max(layer.printedHeightMM ?? layer.zMM, layer.zMM)
        let options = ResumePrologue.Options(situation: head.situation, printedHeightMM: printedHeight)
        let prologue: [String]
        do {
            prologue = try ResumePrologue.lines(toResume: state, options: options)
        } catch {
            throw ControlError(code: .refused, message: "job \(record.id ?? 0): \(error)")
        }
        var startState = state
        startState.position.zMM = ResumePrologue.endZ(resuming: state, options: options)
        let feed = PrinterConnection.JobFeed(path: record.spoolPath, startByteOffset: Int(layer.byteOffset),
                                             linesBefore: layer.sourceLine - 1, prologue: prologue,
                                             maxFramedBytes: setup.maxFramedBytes, machineState: startState)
        let detail = "from layer \(layer.layer) (Z \(GCodeDecimal.text(layer.zMM)) mm, line \(layer.sourceLine)); \(head.detail); last acknowledged line was \(record.lastAckedSourceLine)"
        let recovered = try begin(record, feed: feed, kind: .recovered, detail: detail)
        return recovered
    }

    /// Where the head of an interrupted job is: the printer's own word when it kept its
    /// position; else the height to declare — a parked head's, or the height of the last layer
    /// known printed (`printed_layer`: an `M400` after its first extrusion was answered). Never
    /// a height the head may not have come down to: the layer reached (`current_layer`) can
    /// have its first moves still in the planner when the board resets, and the Z of the last
    /// acknowledged line may be a travel hop above the layer. Declared too high, the nozzle
    /// would print into the part; declared at most as high as the head, it can only print
    /// above it. Jobs recorded before `printed_layer` existed fall back to the layer reached.
    private func headPosition(of record: JobRecord, layer: JobLayerRecord, state: GCodeMachineState) async
        -> (situation: ResumePrologue.Situation, detail: String) {
        let reported = await queryPosition()
        if !firmwareRebooted, let reported, !reported.isPowerOnOrigin {
            return (.positionKept(zMM: reported.zMM), "the printer kept its position (M114: Z \(GCodeDecimal.text(reported.zMM)))")
        }
        let why = firmwareRebooted ? "the printer was reset" : reported == nil ? "the printer did not report its position" : "the printer reports the origin after a reset (M114: X0 Y0 Z0)"
        if let parked = record.parkedZMM {
            return (.positionLost(declaredZMM: parked), "\(why): declaring the parked height Z \(GCodeDecimal.text(parked))")
        }
        let printed = record.printedLayer.flatMap { index in index < layer.layer ? try? store.layer(index, jobID: record.id ?? 0) : nil } ?? layer
        let height = printed.zMM + (printed.resumeJSON.flatMap { JSONText.decode(GCodeMachineState.self, from: $0) }?.originShift.zMM ?? 0)
        return (.positionLost(declaredZMM: height),
                "\(why): declaring the height of the last layer printed, layer \(printed.layer), Z \(GCodeDecimal.text(height))")
    }

    /// `M114`, answered once the printer has handled everything before it; `nil` without a
    /// connection or an answer.
    private func queryPosition() async -> FirmwarePosition? {
        guard let connection else { return nil }
        nextSendTag += 1
        let tag = nextSendTag
        return await withCheckedContinuation { (continuation: CheckedContinuation<FirmwarePosition?, Never>) in
            positionQueries[tag] = continuation
            connection.submit(.queryPosition(tag: tag))
        }
    }

    private func notIdle() -> ControlError {
        ControlError(code: state == .offline || state == .connecting || state == .error || state == .halted ? .notConnected : .busy,
                     message: "printer \(setup.id) is \(state.rawValue)" + (lastError.map { " (\($0))" } ?? "") + "; a job starts on an idle printer"
                         + (state == .halted ? ": `printedge reset --printer \(setup.id)` restarts its firmware" : ""))
    }

    private func begin(_ record: JobRecord, feed: PrinterConnection.JobFeed, kind: JobEventKind, detail: String?) throws(ControlError) -> JobRecord {
        if let running = calibration { throw calibrating(running) }
        guard let connection, state == .idle else { throw notIdle() }
        var feed = feed
        do {
            let starts = try store.layerStarts(jobID: record.id ?? 0)
            feed.layerByteOffsets = starts.map { Int($0.byteOffset) }
            feed.layerFirstPrintLines = Dictionary(starts.compactMap { start in start.firstPrintSourceLine.map { ($0, start.layer) } },
                                                   uniquingKeysWith: { first, _ in first })
        } catch {
            throw ControlError(code: .storage, message: "\(error); nothing was done")
        }
        let started = try commitOrThrow(record.id, to: .printing, kind: kind, detail: detail)
        job = ActiveJob(record: started, session: JobSession(jobID: record.id ?? 0, printerID: setup.id), startedAt: .now())
        connection.submit(.startJob(feed))
        transition(to: .printing)
        return started
    }

    /// Stops feeding at once, then parks. Never waits for the disk (see the type's comment).
    func pauseJob(detail: String = "paused by the user") throws(ControlError) -> JobRecord {
        guard var current = job else { throw ControlError(code: .refused, message: "printer \(setup.id) is not printing") }
        let pause = current.session.pauseRequested(detail: detail)
        job = current
        return try carryOut(pause)
    }

    func resumeJob(detail: String? = nil) throws(ControlError) -> JobRecord {
        guard var current = job else { throw ControlError(code: .refused, message: "printer \(setup.id) has no paused job") }
        let resume = current.session.resumeRequested(detail: detail, interlock: hardware?.resumeRefusal())
        job = current
        return try carryOut(resume)
    }

    /// Stops feeding, quick-stops, then the cancel G-code. Never waits for the disk.
    func cancelJob(detail: String = "cancelled by the user") throws(ControlError) -> JobRecord {
        guard var current = job else { throw ControlError(code: .refused, message: "printer \(setup.id) has no job to cancel") }
        let cancel = current.session.cancelRequested(detail: detail)
        job = current
        return try carryOut(cancel)
    }

    private func carryOut(_ pause: JobSession.PauseAction) throws(ControlError) -> JobRecord {
        switch pause {
        case .refuse(let reason):
            throw ControlError(code: .refused, message: reason)
        case .pause(let step, let display):
            let record = record(step)
            connection?.submit(.pause(park: setup.pauseScript))
            show(display)
            return record
        }
    }

    private func carryOut(_ resume: JobSession.ResumeAction) throws(ControlError) -> JobRecord {
        guard let current = job else { throw ControlError(code: .refused, message: "printer \(setup.id) has no paused job") }
        switch resume {
        case .refuse(let reason):
            throw ControlError(code: .refused, message: reason)
        case .afterParking:
            return current.record
        case .resume(let step, let position):
            var restore = setup.resumeScript
            do {
                restore += try ResumePrologue.lines(toResume: position.machineState, options: .init(situation: .afterPause))
            } catch {
                throw ControlError(code: .refused, message: "printer \(setup.id): \(error)")
            }
            let record = try commitOrThrow(current.record.id, to: step.state, kind: step.kind, detail: step.detail)
            if let display = job?.session.resumeRecorded() { show(display) }
            connection?.submit(.resume(restore: restore))
            return record
        }
    }

    private func carryOut(_ cancel: JobSession.CancelAction) throws(ControlError) -> JobRecord {
        switch cancel {
        case .refuse(let reason):
            throw ControlError(code: .refused, message: reason)
        case .cancel(let step, let display):
            let record = record(step)
            connection?.submit(.cancel(script: setup.cancelScript))
            show(display)
            return record
        }
    }

    /// The job a person named: the one printing or paused is stopped (`cancelJob(detail:)`);
    /// a queued or interrupted one only changes state, since the printer is not working on it.
    func cancelJob(id: Int64) throws(ControlError) -> JobRecord {
        if let current = job, current.record.id == id {
            return try cancelJob()
        }
        let record = try loadJob(id)
        let detail: String
        switch record.state {
        case .queued: detail = "cancelled before it started"
        case .interrupted: detail = "dismissed after the interruption, not recovered"
        default:
            throw ControlError(code: .refused, message: "job \(id) is \(record.state.rawValue): there is nothing to cancel")
        }
        let cancelled = try commitOrThrow(id, to: .cancelled, kind: .cancelled, detail: detail)
        // A queued job never printed: its file is only taking room (a dismissed interrupted
        // one keeps it, so that `jobs reprint` can start it over).
        if record.state == .queued { SpoolFile.release(cancelled, store: store) }
        return cancelled
    }

    /// `jobs remove`: a queued or interrupted job leaves the queue (it becomes `cancelled`,
    /// its history kept), and any job not running has its spooled file deleted, unless
    /// another job still prints from it. A printing or paused job is refused: cancel it first.
    func removeJob(id: Int64) throws(ControlError) -> JobRecord {
        var record = try loadJob(id)
        if record.state == .printing || record.state == .paused || job?.record.id == id {
            throw ControlError(code: .busy, message: "job \(id) is \(record.state.rawValue) on printer \(record.printerID): "
                + "cancel it first (`printedge jobs cancel \(id)`), then remove it")
        }
        switch record.state {
        case .queued:
            record = try commitOrThrow(id, to: .cancelled, kind: .cancelled, detail: "removed from the queue by a person")
        case .interrupted:
            record = try commitOrThrow(id, to: .cancelled, kind: .cancelled, detail: "removed after the interruption, not recovered")
        default:
            break
        }
        SpoolFile.release(record, store: store)
        return record
    }

    /// `M112` at once, ahead of everything queued. The job is aborted first in the store, but
    /// the stop itself never waits for the disk.
    func emergencyStop(detail: String = "emergency stop") {
        if connection != nil { emergencyStopCause = detail }
        connection?.submit(.emergencyStop)
        abortForEmergencyStop(detail: detail)
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
        emergencyStopCause = cause
        abortForEmergencyStop(detail: cause)
        broadcast(ConsoleEvent(kind: "state", printer: setup.id, text: "EMERGENCY STOP sent (M112): \(cause)"))
    }

    private func abortForEmergencyStop(detail: String) {
        guard var current = job else { return }
        let step = current.session.emergencyStopped(detail: detail)
        job = current
        if let step { record(step) }
    }

    // MARK: - Halt and reset

    /// The halt a connection's end means, if it is one: the firmware stopped dead and ignores
    /// the host until reset (Marlin's `kill()` after M112, a thermal runaway, `Printer halted`).
    private func haltSeen(in end: PrinterConnection.Ending) -> PrinterHalt? {
        guard case .failed(let failure) = end else { return nil }
        let at = WallClock.nowMS()
        switch failure {
        case .emergencyStopped:
            defer { emergencyStopCause = nil }
            let cause = emergencyStopCause ?? "emergency stop"
            let reason = cause == "emergency stop" ? "emergency stop (M112) sent from this host" : "emergency stop (M112): \(cause)"
            return PrinterHalt(cause: "emergency_stop", reason: reason, atMS: at)
        case .protocolFailure(.printerHalted(let message, _)):
            return PrinterHalt(cause: "firmware", reason: "the firmware halted: \(message)", atMS: at)
        case .protocolFailure(.thermalError(let message, _)):
            return PrinterHalt(cause: "firmware", reason: "thermal error: \(message); check the heater and thermistor wiring before resetting", atMS: at)
        default:
            return nil
        }
    }

    /// `printedge reset`: restarts the printer's firmware and connects again — the way back
    /// from a halt. The board is reset by `boardReset` when given (a virtual printer's
    /// simulator), else by dropping DTR as the port opens again (Marlin boards reset on DTR,
    /// the Arduino auto-reset). Refused under a job unless `force`: a reset ends the print and
    /// the printer forgets its position. Answers once a connection opened after the reset has
    /// answered the handshake or failed (60 s at most, a hang guard).
    func reset(force: Bool, boardReset: (@Sendable () async -> String?)?) async throws(ControlError) -> PrinterStatus {
        if let current = job, !current.session.hasEnded {
            guard force else {
                throw ControlError(code: .busy, message: "printer \(setup.id) is \(state.rawValue) job \(current.record.id ?? 0): a reset restarts "
                    + "its firmware, ends the print and loses the head's position; pause or cancel the job first, or add --force")
            }
            abortForEmergencyStop(detail: "the printer was reset under the job by a person (printedge reset --force)")
        }
        if let usb, usb.port == nil {
            throw ControlError(code: .notConnected, message: "printer \(setup.id) has no device to reset: \(usb.status.message ?? "it is not plugged in")")
        }
        // A pseudo-terminal (a simulator run by hand) has no DTR line: reopening is all there is.
        let onPseudoTerminal = Self.isPseudoTerminal(usb?.port?.deviceNode ?? setup.portPath)
        if let boardReset {
            if let failure = await boardReset() { throw ControlError(code: .internal, message: "printer \(setup.id): \(failure)") }
        } else {
            resetPulsesDTR = !onPseudoTerminal
        }
        let previous = halt
        halt = nil
        resetRequested = true
        logger.notice("printer \(setup.id): reset by a person\(previous.map { " (halted: \($0.reason))" } ?? "")")
        broadcast(ConsoleEvent(kind: "state", printer: setup.id, text: "resetting the firmware"))
        let after = connectionsOpened
        connection?.submit(.close)
        wake()
        await waitForConnection(after: after, limit: .seconds(60))
        guard state.isAnswering else {
            throw ControlError(code: .notConnected, message: "printer \(setup.id) is \(state.rawValue) after the reset"
                + (lastError.map { " (\($0))" } ?? "")
                + (onPseudoTerminal && boardReset == nil
                    ? "; its port is a pseudo-terminal, which has no DTR line to reset the board with: reset the program behind it (printedge-sim: SIGUSR1), then reset again"
                    : "; check its power and cable, then `printedge reset --printer \(setup.id)` again"))
        }
        return status()
    }

    /// Whether `path` (a link followed) is a pseudo-terminal's slave, `/dev/pts/N`.
    private static func isPseudoTerminal(_ path: String) -> Bool {
        guard let resolved = realpath(path, nil) else { return false }
        defer { free(resolved) }
        return String(cString: resolved).hasPrefix("/dev/pts/")
    }

    /// Until a connection numbered above `after` has answered its handshake or ended, or `limit`.
    private func waitForConnection(after: Int, limit: Duration) async {
        nextResetWaiter += 1
        let key = nextResetWaiter
        let guardTask = Task { [weak self] in
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            await self?.resumeResetWaiter(key)
        }
        await withCheckedContinuation { resetWaiters[key] = (after, $0) }
        guardTask.cancel()
    }

    private func resumeResetWaiter(_ key: Int) {
        resetWaiters.removeValue(forKey: key)?.continuation.resume()
    }

    /// Connection `number` answered or ended: every reset waiting for it (or an earlier one) goes on.
    private func resumeResetWaiters(upTo number: Int) {
        for (key, waiter) in resetWaiters where waiter.afterConnection < number {
            resetWaiters.removeValue(forKey: key)
            waiter.continuation.resume()
        }
    }

    /// A person's own G-code (`printedge send`, `console`), checked before anything is sent:
    /// each line as a job's would be (length, characters), against the profile's limits
    /// (build volume, temperatures), and while a job prints or is paused against the
    /// allow-list, unless `force` — a forced line is recorded in the job's history. Returns
    /// the printer's replies to these lines, once every one was handled; `ok`s, busy lines
    /// and temperature autoreports are left out. An `Error:` or "Unknown command" among them
    /// is an error, with the replies.
    func send(_ lines: [String], force: Bool) async throws(ControlError) -> [String] {
        try await send(lines, underJob: force ? .forced : .allowListed)
    }

    /// How lines that are not on the allow-list are treated under a job.
    enum UnderJob {
        case allowListed
        /// A person forced them: sent, and recorded in the job's history.
        case forced
        /// The fleet's own allow-list for printing (`[mqtt.commands]`) already passed them.
        case checkedByFleet
    }

    func send(_ lines: [String], underJob: UnderJob) async throws(ControlError) -> [String] {
        guard let connection, state != .connecting else {
            throw ControlError(code: .notConnected, message: "printer \(setup.id) is \(state.rawValue)" + (lastError.map { " (\($0))" } ?? "")
                + (state == .halted ? ": `printedge reset --printer \(setup.id)` restarts its firmware" : ""))
        }
        let commands = try checkedManualLines(lines)
        if let running = calibration { throw calibrating(running) }
        if let current = job, !current.session.hasEnded, underJob != .checkedByFleet {
            let refused = commands.filter { !setup.gcodeAllowedWhilePrinting.contains(GCodeCommandWord.of($0)) }
            if !refused.isEmpty {
                guard underJob == .forced else {
                    throw ControlError(code: .busy, message: "printer \(setup.id) is \(state.rawValue) job \(current.record.id ?? 0): "
                        + "\(refused.map { "`\($0)`" }.joined(separator: ", ")) may move or change the printer under the job, and only "
                        + "\(setup.gcodeAllowedWhilePrinting.sorted().joined(separator: " ")) may be sent while it prints "
                        + "([daemon] gcode_allow_while_printing); pause or cancel the job first, or add --force to send it anyway, at the print's risk")
                }
                if let id = current.record.id {
                    let detail = "forced under the job by a person: " + refused.joined(separator: "; ")
                    try? store.recordJobNote(jobID: id, kind: .gcodeForced, detail: detail, atMS: WallClock.nowMS())
                    logger.warning("printer \(setup.id): job \(id): \(detail)")
                }
            }
        }
        nextSendTag += 1
        let tag = nextSendTag
        sendReplies[tag] = ([], commands.contains { GCodeCommandWord.of($0) == "M105" })
        connection.setConsoleListening(true)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            sends[tag] = continuation
            connection.submit(.send(lines: commands, tag: tag))
        }
        let replies = sendReplies.removeValue(forKey: tag)?.lines ?? []
        if sendReplies.isEmpty && consoles.isEmpty && calibration == nil { connection.setConsoleListening(false) }
        if cutSends.remove(tag) != nil {
            throw ControlError(code: .notConnected, message: "printer \(setup.id)'s connection ended before every line was handled: "
                + (lastError ?? "closed") + (replies.isEmpty ? "" : "\n" + replies.joined(separator: "\n")))
        }
        if let failure = replies.first(where: { FirmwareReply.isRefusal($0) }) {
            throw ControlError(code: .firmwareError, message: "printer \(setup.id) answered: \(failure)" + (replies.count > 1 ? "\n" + replies.joined(separator: "\n") : ""))
        }
        return replies
    }

    /// The lines as they will be sent, or why one cannot be: as a job's lines are checked
    /// (Marlin's 96-byte line, ASCII), and against the profile's build volume and temperatures.
    private func checkedManualLines(_ lines: [String]) throws(ControlError) -> [String] {
        var preflight = GCodePreflight(maxFramedBytes: setup.maxFramedBytes)
        var analyzer = GCodeAnalyzer(options: .init(limits: setup.limits))
        var commands: [String] = []
        for (index, line) in lines.enumerated() {
            if line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) {
                throw ControlError(code: .badRequest, message: "line \(index + 1) holds a control character: give each G-code line as its own argument")
            }
            let command: [UInt8]?
            do {
                command = try preflight.check(rawLine: Array(line.utf8))
            } catch {
                throw ControlError(code: .badRequest, message: "line \(index + 1): \(error)")
            }
            guard let command else { continue }
            analyzer.consume(rawLine: command[...], byteOffset: 0)
            commands.append(String(decoding: command, as: UTF8.self))
        }
        if let violation = analyzer.finish().limitViolations.first {
            let why = switch violation.kind {
            case .outsideBuildVolume(let axis, let position, let allowed):
                "would take the head to \(axis) \(GCodeDecimal.text(position)) mm, outside the build volume (\(axis) \(GCodeDecimal.text(allowed.lowerBound))…\(GCodeDecimal.text(allowed.upperBound)) mm)"
            case .hotendTooHot(let celsius, let maximum):
                "asks for \(GCodeDecimal.text(celsius)) °C, above the hotend's maximum of \(GCodeDecimal.text(maximum)) °C in the printer's profile"
            case .bedTooHot(let celsius, let maximum):
                "asks for \(GCodeDecimal.text(celsius)) °C, above the bed's maximum of \(GCodeDecimal.text(maximum)) °C in the printer's profile"
            }
            throw ControlError(code: .refused, message: "printer \(setup.id): `\(violation.excerpt)` \(why); nothing was sent")
        }
        guard !commands.isEmpty else {
            throw ControlError(code: .badRequest, message: "no G-code command to send (only blanks or comments)")
        }
        return commands
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
    private func commitOrThrow(_ id: Int64?, to next: JobState, kind: JobEventKind?, detail: String?) throws(ControlError) -> JobRecord {
        writeBacklog()
        if let refusal = backlog.refusal, !backlog.isEmpty {
            throw ControlError(code: .storage, message: "\(backlog.count) earlier job event(s) of printer \(setup.id) are still waiting to be written: \(refusal); nothing was done")
        }
        do {
            let record = try store.transition(jobID: id ?? 0, to: next, kind: kind, detail: detail, atMS: WallClock.nowMS())
            if job?.record.id == id { job?.record = record }
            journal(jobID: id ?? 0, next, kind: kind, detail: detail)
            return record
        } catch {
            throw ControlError(code: .storage, message: "\(error); nothing was done")
        }
    }

    /// A step the printer has taken (or is taking) of the active job: recorded, or held while
    /// the store refuses writes; returns the record as it stands after it.
    @discardableResult
    private func record(_ step: JobSession.Step) -> JobRecord {
        guard let current = job else { preconditionFailure("printer \(setup.id): a job step without a job") }
        record(current.record.id, to: step.state, kind: step.kind, detail: step.detail)
        return job?.record ?? current.record
    }

    /// For steps the printer has taken: the job's state follows at once, and the step is
    /// written now or held in the backlog until the store takes writes again.
    private func record(_ id: Int64?, to next: JobState, kind: JobEventKind?, detail: String?) {
        guard let id else { return }
        if job?.record.id == id { job?.record.state = next }
        journal(jobID: id, next, kind: kind, detail: detail)
        backlog.append(.init(jobID: id, state: next, kind: kind, detail: detail, atMS: WallClock.nowMS()))
        writeBacklog()
        if let refusal = backlog.refusal {
            let text = "job \(id) \(next.rawValue): held in memory until the store takes writes again (\(refusal)); \(backlog.count) job event(s) waiting"
            logger.warning("printer \(setup.id): \(text)")
            broadcast(ConsoleEvent(kind: "error", printer: setup.id, text: text))
        }
    }

    /// One journal line per job event, with the printer and the job as fields
    /// (`printedge logs --printer P --job N` finds them): the story of a day of prints.
    private func journal(jobID: Int64, _ next: JobState, kind: JobEventKind?, detail: String?) {
        let level: Logger.Level = [.failed, .aborted, .interrupted].contains(next) ? .warning : .notice
        logger.log(level: level, "job \(jobID) \(kind?.rawValue ?? next.rawValue)\(detail.map { ": \($0)" } ?? "")",
                   metadata: ["printer": "\(setup.id)", "job": "\(jobID)"])
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
        try? store.recordProgress(jobID: id, lastAckedSourceLine: current.progress.acknowledgedSourceLine,
                                  lastAckedByte: Int64(current.progress.acknowledgedByteOffset),
                                  ackedCommands: current.progress.linesSent, zMM: current.progress.zMM ?? current.record.currentZMM,
                                  layer: current.record.currentLayer)
    }

    // MARK: - Status, consoles, telemetry

    func status() -> PrinterStatus {
        var status = PrinterStatus(id: setup.id, name: setup.name, state: state.rawValue, port: usb?.displayName ?? setup.portPath,
                                   firmware: firmware, flow: flow, error: lastError, temperatures: temperatures,
                                   job: job.map { summary(of: $0) }, device: usb?.status)
        status.calibrating = calibration.map { CalibrationActivity(kind: $0.kind, step: $0.step, waitingForAnswer: $0.isWaitingForAnswer) }
        status.calibrations = calibrationStandings()
        status.halt = halt
        status.temperaturesAt = temperaturesAtMS.map(ControlTime.text(ms:))
        status.temperaturesStale = !state.isAnswering
        return status
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

    /// The serial traffic from now on, line by line, as the serial log writes it.
    func followWire() -> (Int, AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let token = wireLog.follow { continuation.yield($0) }
        wireFollowers[token] = continuation
        return (token, stream)
    }

    func unfollowWire(_ token: Int) {
        wireLog.unfollow(token)
        wireFollowers.removeValue(forKey: token)?.finish()
    }

    /// The last `count` lines of the serial log file; without one, an error (or with
    /// `orNothing`, for a follower, nothing).
    func wireLogTail(_ count: Int, orNothing: Bool) throws(ControlError) -> [String] {
        guard let path = wireLog.path else {
            if orNothing { return [] }
            throw ControlError(code: .refused, message: "no serial log is kept for printer \(setup.id): set `serial_log` in its [[printer]] table, or follow the traffic live with --follow")
        }
        wireLog.flush()
        do {
            return try LogFileTail.lines(count, of: path)
        } catch {
            throw ControlError(code: .storage, message: "\(path): \(error)")
        }
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
        if consoles.isEmpty && sendReplies.isEmpty && calibration == nil { connection?.setConsoleListening(false) }
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
        if next.isAnswering != state.isAnswering, next != .halted {
            // The link's story in the journal: up with its firmware, down with the reason.
            if next.isAnswering {
                logger.notice("link up: \(firmware ?? "firmware unknown"), \(flow ?? "") flow control", metadata: ["printer": "\(setup.id)"])
            } else {
                logger.warning("link down (\(next.rawValue))\(lastError.map { ": \($0)" } ?? "")", metadata: ["printer": "\(setup.id)"])
            }
        }
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
        // A calibration counts as a job: a relay's idle timer must not cut a printer mid-mesh.
        hardware.report(PrinterActivity(state: state, hasJob: job != nil || calibration != nil, hotendCelsius: answering && !hotends.isEmpty ? hotends : nil))
    }

    // MARK: - Calibration

    /// Starts a calibration (`calibrate.start`); its events, ending with `finished` or
    /// `failed`, come through the stream. The printer must be connected, idle, without a job
    /// (printing, paused or being seen to its end) and without another calibration or a
    /// person's lines in flight; until the run ends, jobs, manual G-code and other
    /// calibrations are refused.
    func startCalibration(_ request: CalibrationRequest, force: Bool) throws(ControlError) -> AsyncStream<CalibrationEvent> {
        if let running = calibration { throw calibrating(running) }
        if let current = job, !current.session.hasEnded {
            throw ControlError(code: .busy, message: "printer \(setup.id) is \(state.rawValue) job \(current.record.id ?? 0): a calibration needs an idle printer; let the job end or cancel it first")
        }
        guard let connection, state == .idle else {
            throw ControlError(code: state == .offline || state == .connecting || state == .error ? .notConnected : .busy,
                               message: "printer \(setup.id) is \(state.rawValue)" + (lastError.map { " (\($0))" } ?? "") + "; a calibration needs an idle printer")
        }
        guard sendReplies.isEmpty else {
            throw ControlError(code: .busy, message: "printer \(setup.id) is still handling a person's G-code; try again once it is done")
        }
        let session = try CalibrationPlan(setup: setup, capabilities: capabilities, store: store, force: force).session(for: request)
        let (events, continuation) = AsyncStream<CalibrationEvent>.makeStream()
        var driver = CalibrationDriver(session: session, printerID: setup.id, recorder: CalibrationRecorder(store: store, printerID: setup.id),
                                       events: continuation)
        connection.setConsoleListening(true)
        let effects = driver.start()
        calibration = driver
        logger.notice("printer \(setup.id): \(driver.kind.rawValue) calibration started")
        perform(effects)
        return events
    }

    /// The person's answer to the calibration's question, as typed.
    func answerCalibration(_ text: String) throws(ControlError) {
        guard var driver = calibration else {
            throw ControlError(code: .refused, message: "printer \(setup.id) is not calibrating")
        }
        let effects = try driver.answer(text)
        calibration = driver
        perform(effects)
    }

    /// Ctrl-C, or the client that started the run went away: the session stops and leaves the
    /// printer safe.
    func cancelCalibration() throws(ControlError) {
        guard calibration != nil else { throw ControlError(code: .refused, message: "printer \(setup.id) is not calibrating") }
        perform(calibration?.cancel() ?? [])
    }

    /// Carries out what the calibration driver needs done on the link.
    private func perform(_ effects: [CalibrationDriver.Effect]) {
        for effect in effects {
            switch effect {
            case .submit(let command):
                connection?.submit(command)
            case .armTimer(let limit, let generation):
                Task { [weak self] in
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    await self?.calibrationTimerFired(generation: generation)
                }
            case .safeStopWhenConnected(let stop):
                calibrationSafeStop = stop
            case .ended:
                if let kind = calibration?.kind { logger.notice("printer \(setup.id): \(kind.rawValue) calibration ended") }
                calibration = nil
                if consoles.isEmpty && sendReplies.isEmpty { connection?.setConsoleListening(false) }
                sendCalibrationSafeStop()
            }
        }
    }

    /// The daemon is stopping: a running calibration is cancelled first, so its stop lines
    /// (heaters off) reach the printer before the port closes; bounded, since a command that
    /// cannot be interrupted may hold them back.
    private func stopCalibrationBeforeClosing() async {
        guard calibration != nil else { return }
        perform(calibration?.cancel() ?? [])
        let deadline = MonotonicInstant.now() + .seconds(10)
        while calibration != nil, MonotonicInstant.now() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func calibrationTimerFired(generation: Int) {
        perform(calibration?.timerFired(generation: generation) ?? [])
    }

    /// Stop lines held while the link was down go out first when it is back.
    private func sendCalibrationSafeStop() {
        guard let stop = calibrationSafeStop, let connection else { return }
        calibrationSafeStop = nil
        logger.notice("printer \(setup.id): sending the stop lines of the calibration the link was lost during: \((stop.emergencyLines + stop.lines).joined(separator: ", "))")
        nextSendTag += 1
        connection.submit(.send(lines: stop.emergencyLines + stop.lines, tag: nextSendTag))
    }

    private func calibrating(_ running: CalibrationDriver) -> ControlError {
        ControlError(code: .busy, message: "printer \(setup.id) is running a \(running.kind.rawValue) calibration"
                     + (running.isWaitingForAnswer ? " (waiting for an answer)" : running.step.map { " (\($0))" } ?? "")
                     + "; wait for it to end, or stop it with Ctrl-C where it was started")
    }

    private func calibrationStandings() -> [CalibrationStandingStatus]? {
        guard let standings = try? store.calibrationStandings(printerID: setup.id), !standings.isEmpty else { return nil }
        return standings.map {
            CalibrationStandingStatus(kind: $0.kind, record: $0.recordID, atMS: $0.atMS, stale: $0.isStale,
                                      staleSinceKind: $0.staleSince?.kind, staleSinceRecord: $0.staleSince?.recordID)
        }
    }
}
