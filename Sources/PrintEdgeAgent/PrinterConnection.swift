import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeSerial
import Synchronization

/// A printer's serial link for as long as it stays up: the one loop that drives
/// `HostProtocol` over a transport, for the daemon's printers (jobs, the user's commands,
/// temperature polls over one handshake) and for `printedge stream` (one job, then close).
///
/// `run` is a blocking loop for a dedicated thread (one ppoll over the port and a wake-up
/// descriptor), so a slow disk, a busy actor or another printer never delays a line.
/// Commands arrive from any thread through `submit`; events leave through the closure given
/// to `run`. The connection ends on `close`, on a vanished port, on a firmware reset or halt,
/// or when the printer stops answering; reconnecting is the owner's decision.
public final class PrinterConnection: Sendable {
    public let options: Options
    private let inbox = Mutex<[Command]>([])
    private let wakeup: WakeupPipe
    private let stopSignal: WakeupPipe?
    private let consoleListening = Atomic<Bool>(false)
    /// Where every line sent and received goes (`printedge stream --log`, the daemon's wire
    /// log), swapped from any thread; the loop writes to it from its own.
    private let wireLog = Mutex<SerialLog?>(nil)

    /// `stopSignal`: a descriptor a signal handler pokes (Ctrl-C) to close between two lines.
    public init(options: Options, stopSignal: WakeupPipe? = nil) throws(SerialError) {
        self.options = options
        self.stopSignal = stopSignal
        do {
            wakeup = try WakeupPipe()
        } catch {
            throw SerialError(error)
        }
    }

    public func submit(_ command: Command) {
        inbox.withLock { $0.append(command) }
        wakeup.wake()
    }

    /// Whether every line from the printer is reported (`.reply`): only while someone watches,
    /// since it costs an event per `ok`.
    public func setConsoleListening(_ listening: Bool) {
        consoleListening.store(listening, ordering: .relaxed)
    }

    /// Starts (or, with `nil`, stops) recording the traffic; the log it replaces is flushed.
    public func setWireLog(_ log: SerialLog?) {
        let old = wireLog.withLock { current in
            defer { current = log }
            return current
        }
        old?.flush()
    }

    /// Opens the configured port and runs the link over it until it ends.
    public func run(events emit: @escaping (Event) -> Void) -> Ending {
        let port: SerialPort
        do {
            port = try SerialPort(options.port)
        } catch {
            return .failed(.cannotOpen(error))
        }
        let transport = SerialTransport(port: port, wakeup: wakeup, stopSignal: stopSignal)
        defer { transport.close() }
        return run(over: transport, events: emit)
    }

    /// Runs the link over any transport: a tty, or a simulated printer on a virtual clock.
    public func run(over transport: some LinkTransport, events emit: @escaping (Event) -> Void) -> Ending {
        var loop = LinkLoop(options: options, transport: transport, emit: emit)
        let ending = loop.run(inbox: inbox, console: consoleListening, wireLog: wireLog)
        wireLog.withLock { $0?.flush() }
        return ending
    }
}

/// The state of one `run`: everything here is touched by the connection's thread only.
private struct LinkLoop<Transport: LinkTransport> {
    let options: PrinterConnection.Options
    let transport: Transport
    let emit: (PrinterConnection.Event) -> Void
    var machine: HostProtocol
    var output = OutputBuffer()
    var replies = ReplyAssembler()
    var job: JobStreamer?
    var pendingSends: [(checkpoint: Int, tag: UInt64)] = []
    var pendingPositionQueries: [(checkpoint: Int, tag: UInt64)] = []
    /// The last `M114` report seen while a position query was pending.
    var reportedPosition: FirmwarePosition?
    var ready = false
    var autoreport = false
    var nextTemperaturePoll = MonotonicInstant.zero
    var streamingSince: MonotonicInstant?

    init(options: PrinterConnection.Options, transport: Transport, emit: @escaping (PrinterConnection.Event) -> Void) {
        self.options = options
        self.transport = transport
        self.emit = emit
        machine = HostProtocol(configuration: options.protocolConfiguration)
    }

    mutating func run(inbox: borrowing Mutex<[PrinterConnection.Command]>, console: borrowing Atomic<Bool>,
                      wireLog: borrowing Mutex<SerialLog?>) -> PrinterConnection.Ending {
        var readBuffer = [UInt8](repeating: 0, count: 4096)
        var now = transport.now()
        var nextProgress = now + options.progressInterval
        var nextPresenceCheck = now + options.presenceCheckInterval
        var closing = false
        machine.start(at: now)

        while true {
            for command in inbox.withLock({ commands in defer { commands.removeAll() }; return commands }) {
                if case .close = command { closing = true }
                perform(command, at: now)
            }
            if !closing, let failure = feed(keepingText: wireLog.withLock { $0?.isRecording == true }) {
                failJob(failure)
            }
            if options.closesAfterJob, !closing, let job, !job.isActive {
                closing = true
                perform(.close, at: now)
            }
            while output.pendingByteCount < OutputBuffer.highWater, let transmission = machine.nextTransmission(at: now) {
                output.append(transmission.bytes)
                wireLog.withLock { $0?.sent(transmission, at: now) }
                if case .line(let number, let sourceLine, false) = transmission.kind, sourceLine > 0 {
                    job?.written(lineNumber: number, sourceLine: sourceLine)
                }
            }
            if output.pendingByteCount > 0 {
                do throws(SerialError) {
                    try output.write(to: transport)
                } catch {
                    return end(.failed(disconnected(error)))
                }
            }
            if machine.isTerminal && output.pendingByteCount == 0 {
                return end(closing ? .closed : .failed(terminalFailure))
            }

            var wakeAt = min(nextProgress, nextPresenceCheck)
            if ready && !autoreport, options.temperatureInterval != nil { wakeAt = min(wakeAt, nextTemperaturePoll) }
            if let deadline = machine.nextDeadline { wakeAt = min(wakeAt, deadline) }
            let wake: LinkWake
            do {
                wake = try transport.wait(until: max(now, wakeAt), writing: output.pendingByteCount > 0)
            } catch {
                return end(.failed(disconnected(error)))
            }
            now = transport.now()

            if wake.contains(.invalid) { return end(.failed(.disconnected(path: transport.path, reason: "the port's descriptor became invalid"))) }
            if wake.contains(.readable) {
                while true {
                    let read: Result<Int, SerialError> = readBuffer.withUnsafeMutableBytes { raw in
                        do throws(SerialError) {
                            return .success(try transport.read(into: raw))
                        } catch {
                            return .failure(error)
                        }
                    }
                    let count: Int
                    switch read {
                    case .success(let read): count = read
                    case .failure(let error): return end(.failed(disconnected(error)))
                    }
                    if count == 0 { break }
                    let listening = console.load(ordering: .relaxed)
                    let watchingPosition = !pendingPositionQueries.isEmpty
                    var events: [HostProtocol.Event] = []
                    replies.append(readBuffer[0..<count]) { line in
                        wireLog.withLock { $0?.received(line, at: now) }
                        if listening { emit(.reply(String(line))) }
                        if watchingPosition, let position = FirmwarePosition(parsing: line) { reportedPosition = position }
                        if let event = machine.replyReceived(line, at: now) { events.append(event) }
                    }
                    for event in events { handle(event, at: now) }
                    // A short read took everything there was: asking again would only return
                    // nothing (and a tty's empty read costs a hang-up check); the next wait
                    // wakes for what arrives meanwhile.
                    if count < readBuffer.count { break }
                }
            }
            if wake.contains(.stop), !closing {
                closing = true
                perform(.close, at: now)
            }
            if let event = machine.clockAdvanced(to: now) {
                handle(event, at: now)
            }
            if ready && !autoreport, let interval = options.temperatureInterval, now >= nextTemperaturePoll {
                nextTemperaturePoll = now + interval
                // Not while the printer holds the line, nor while an exclusive command (M303) waits
                // or runs: polls would pile up unsent.
                if machine.status == .streaming, !machine.holdsForExclusiveLine { machine.enqueue(GCodeLine(sourceLine: 0, "M105")) }
            }
            if now >= nextPresenceCheck {
                nextPresenceCheck = now + options.presenceCheckInterval
                if !transport.isDevicePresent() { return end(.failed(.disconnected(path: transport.path, reason: "\(transport.path) disappeared (unplugged?)"))) }
            }
            if now >= nextProgress {
                nextProgress = now + options.progressInterval
                if let job, job.isActive { emit(.jobProgress(progress(of: job))) }
                reportLinkProgress(at: now)
            }
        }
    }

    private func disconnected(_ error: SerialError) -> PrinterConnection.LinkFailure {
        if case .disconnected(let path, let reason) = error { return .disconnected(path: path, reason: reason) }
        return .disconnected(path: transport.path, reason: error.description)
    }

    private func reportLinkProgress(at now: MonotonicInstant) {
        guard let streamingSince else { return }
        emit(.linkProgress(machine.progress, streamingFor: now - streamingSince))
    }

    // MARK: - Commands

    private mutating func perform(_ command: PrinterConnection.Command, at now: MonotonicInstant) {
        switch command {
        case .send(let lines, let tag, let exclusive):
            for line in lines { machine.enqueue(GCodeLine(sourceLine: 0, line, isExclusive: exclusive)) }
            pendingSends.append((machine.requestCheckpoint(), tag))
        case .queryPosition(let tag):
            machine.enqueue(GCodeLine(sourceLine: 0, "M114"))
            pendingPositionQueries.append((machine.requestCheckpoint(), tag))
        case .layerRecorded(let layer):
            guard let current = job else { return }
            current.layerRecorded(layer)
            if case .awaitingLayerRecord(let awaited) = current.phase, awaited <= layer { current.phase = .feeding }
        case .startJob(let feed):
            guard job?.isActive != true else {
                emit(.jobFailed(reason: "a job is already running on this printer", PrinterConnection.JobProgress()))
                return
            }
            do {
                job = try JobStreamer(feed: feed)
                for line in feed.prologue { machine.enqueue(GCodeLine(sourceLine: 0, line)) }
            } catch {
                emit(.jobFailed(reason: error.description, PrinterConnection.JobProgress()))
            }
        case .pause(let park):
            guard let current = job, current.isFeeding else { return }
            current.takeBack(machine.discardQueuedLines { $0.sourceLine > 0 })
            current.phase = .pausing(checkpoint: machine.requestCheckpoint(), park: park)
        case .resume(let restore):
            guard let current = job, current.phase == .paused else { return }
            for line in restore { machine.enqueue(GCodeLine(sourceLine: 0, line)) }
            do {
                try current.reopen()
                current.phase = .feeding
            } catch {
                failJob(error.description)
            }
        case .cancel(let script):
            guard let current = job, current.isActive else { return }
            _ = machine.discardQueuedLines { $0.sourceLine > 0 }
            current.closeFile()
            machine.emergency(.quickStop)
            current.phase = .cancelling(checkpoint: machine.requestCheckpoint(), script: script)
        case .emergencyStop:
            machine.emergency(.emergencyStop)
        case .emergency(let command):
            machine.emergency(command)
        case .close:
            machine.stop()
            output.dropLinesNotStarted()
        }
    }

    // MARK: - Feeding the job

    /// Moves job lines into the protocol's lookahead (with their text when a wire log wants
    /// it); a reason when the job cannot go on.
    private mutating func feed(keepingText: Bool) -> String? {
        guard let current = job, current.phase == .feeding, ready else { return nil }
        while machine.wantsMoreLines {
            do {
                switch try current.next(keepingText: keepingText) {
                case .line(let line):
                    machine.enqueue(line)
                    if let layer = current.layerFirstPrinted(at: line.sourceLine) {
                        // Marlin answers M400 once every move before it is carried out: then,
                        // and only then, the head is known to be at this layer's height, the
                        // height a recovery declares after a board reset lost the position.
                        machine.enqueue(GCodeLine(sourceLine: 0, "M400"))
                        current.awaitPrintConfirmation(of: layer, firstPrintLine: line.sourceLine)
                    }
                case .layer(let layer):
                    current.phase = .reachingLayer(layer, checkpoint: machine.requestCheckpoint())
                    return nil
                case .end:
                    current.phase = .finishing(checkpoint: machine.requestCheckpoint())
                    return nil
                }
            } catch {
                return error.description
            }
        }
        return nil
    }

    /// The job's progress as the firmware's answers show it, after telling the owner of each
    /// layer they prove printed (so that layer is written before the progress past it).
    private mutating func progress(of current: JobStreamer) -> PrinterConnection.JobProgress {
        let progress = current.progress(through: machine.progress)
        for layer in current.takePrintedLayers() { emit(.layerPrinted(layer)) }
        return progress
    }

    private mutating func failJob(_ reason: String) {
        guard let current = job, current.isActive else { return }
        _ = machine.discardQueuedLines { $0.sourceLine > 0 }
        current.closeFile()
        current.phase = .done
        emit(.jobFailed(reason: reason, progress(of: current)))
    }

    // MARK: - Protocol events

    private mutating func handle(_ event: HostProtocol.Event, at now: MonotonicInstant) {
        switch event {
        case .identified(let info, let capabilities, let flow):
            ready = true
            streamingSince = now
            let rebooted = machine.firmwareRebootedDuringHandshake
            autoreport = capabilities["AUTOREPORT_TEMP"] == true
            if autoreport, let interval = options.temperatureInterval {
                let seconds = max(1, Int((interval / .seconds(1)).rounded()))
                machine.enqueue(GCodeLine(sourceLine: 0, "M155 S\(seconds)"))
            }
            nextTemperaturePoll = now
            emit(.ready(info, capabilities: capabilities, flow: flow, rebooted: rebooted))
        case .temperature(let report):
            emit(.temperature(report))
        case .checkpointReached(let through):
            checkpointReached(through)
        case .hostAction(let action):
            emit(.hostAction(action))
        case .firmwareMessage(let text):
            emit(.firmwareMessage(text))
        case .firmwareError(let text):
            emit(.firmwareError(text))
        case .ignored(let text):
            emit(.ignoredBeforeHandshake(text))
        case .timeout(let consecutive):
            emit(.timeout(consecutive: consecutive))
        case .failed, .finished, .resendRequested, .unrecognised:
            break
        }
    }

    private mutating func checkpointReached(_ through: Int) {
        while let first = pendingSends.first, first.checkpoint <= through {
            pendingSends.removeFirst()
            emit(.sendCompleted(tag: first.tag))
        }
        while let first = pendingPositionQueries.first, first.checkpoint <= through {
            pendingPositionQueries.removeFirst()
            emit(.positionReported(tag: first.tag, reportedPosition))
            if pendingPositionQueries.isEmpty { reportedPosition = nil }
        }
        guard let current = job else { return }
        switch current.phase {
        case .finishing(let checkpoint) where checkpoint <= through:
            current.phase = .done
            emit(.jobCompleted(progress(of: current)))
        case .reachingLayer(let layer, let checkpoint) where checkpoint <= through:
            current.phase = .awaitingLayerRecord(layer)
            emit(.layerReached(layer, progress(of: current)))
        case .pausing(let checkpoint, let park) where checkpoint <= through:
            // M400 makes the park's own `ok`s mean "carried out", so a crash while parked knows
            // the head's height (`parkedZMM`), and a resume never races the park.
            for line in park + ["M400"] { machine.enqueue(GCodeLine(sourceLine: 0, line)) }
            current.phase = .parking(checkpoint: machine.requestCheckpoint(), parkedZMM: current.parkedZ(after: park))
        case .parking(let checkpoint, let parkedZMM) where checkpoint <= through:
            var position = current.position
            position.parkedZMM = parkedZMM
            current.phase = .paused
            emit(.jobPaused(position, progress(of: current)))
        case .cancelling(let checkpoint, let script) where checkpoint <= through:
            // The lines written before the cancel are in the planner now: stop them too.
            machine.emergency(.quickStop)
            for line in script { machine.enqueue(GCodeLine(sourceLine: 0, line)) }
            current.phase = .cancelled(checkpoint: machine.requestCheckpoint())
        case .cancelled(let checkpoint) where checkpoint <= through:
            current.phase = .done
            emit(.jobCancelled(progress(of: current)))
        default:
            break
        }
    }

    private var terminalFailure: PrinterConnection.LinkFailure {
        switch machine.status {
        case .failed(let error): .protocolFailure(error)
        case .emergencyStopped: .emergencyStopped
        case .stopped, .finished, .idle, .handshaking, .streaming, .pausedByPrinter:
            .disconnected(path: transport.path, reason: "the connection ended")
        }
    }

    private mutating func end(_ ending: PrinterConnection.Ending) -> PrinterConnection.Ending {
        if case .failed(let failure) = ending { failJob(failure.description) } else { failJob(PrinterConnection.closedReason) }
        reportLinkProgress(at: transport.now())
        return ending
    }
}
