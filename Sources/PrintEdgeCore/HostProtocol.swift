/// The host side of Marlin's serial protocol, as a state machine without I/O.
///
/// The caller owns the port and the clock. It feeds events — `start`, `enqueue`(file lines),
/// `replyReceived`, `clockAdvanced`, `emergency`, `stop` — and after each one writes
/// whatever `nextTransmission` hands out until it returns `nil`. Every decision depends only
/// on those events, so tests drive it with a manual clock and a simulated firmware.
///
/// See docs/protocol.md for the rules and the firmware behaviour they rely on.
public struct HostProtocol: Sendable {
    private enum State {
        case idle
        case handshaking(Handshake)
        case streaming
        case finished
        case failed(HostProtocolError)
        case emergencyStopped
        case stopped
    }

    /// The handshake renumbers the firmware (`N0 M110 N0`) and identifies it (`N1 M115`), both
    /// written at once. The firmware may still be answering a previous session (a host that
    /// crashed, a daemon restarted while the printer worked through its queue): those replies
    /// arrive first and look like any other `ok` or `Resend:`. Only M115's own output —
    /// `FIRMWARE_NAME`, `Cap:` lines or "Unknown command" for M115 — cannot be left over, so
    /// nothing before it counts.
    ///
    /// An identification may still be an earlier attempt's, with a later hello queued behind
    /// it in the firmware, whole or cut by an RX overflow (a retry written while a previous
    /// session's queue still filled the buffer). So the handshake goes on with a confirmation:
    /// `N0 M110 N0` again and a numbered `N1 M105`. Whatever the firmware still held of earlier
    /// attempts comes before these; the first `ok T:` after them can only be `N1 M105`'s (no
    /// other command answers so), and every line written before it has been handled.
    ///
    /// That `ok T:` does not yet say where the firmware counts from. Marlin sets the counter
    /// twice for `M110`: when the line arrives, and again when it runs (`M110.cpp`). A line
    /// that arrived between the two — `N1 M105` behind the confirmation's `M110`, read in the
    /// same batch as native-USB boards do, or behind a queued earlier hello — is forgotten, and
    /// the first file line would draw `Resend: 1`. So the handshake ends with `N1 M110 N1`
    /// written alone, once nothing else is in flight: it sets 1 both times, its `ok` is the
    /// only reply that can come, and file lines go on from 2.
    private enum Handshake {
        /// The hello and the identification are out; replies before the identification are
        /// reported as `.ignored` and otherwise left alone.
        case awaitingIdentification(attempt: Int)
        /// The identification arrived; `Cap:` lines follow until its `ok`.
        case identified(attempt: Int)
        /// The renumber and the numbered `M105` are out; waiting for the `ok T:`.
        case confirming(attempt: Int)
        /// Nothing earlier is in flight; `N1 M110 N1` is out alone, waiting for its `ok`.
        case renumbering(attempt: Int)

        var attempt: Int {
            switch self {
            case .awaitingIdentification(let attempt), .identified(let attempt), .confirming(let attempt),
                 .renumbering(let attempt): attempt
            }
        }
    }

    private enum ControlMessage: Equatable {
        case hello
        case identify
        case confirm
        case renumber
    }

    /// After a resend request: nothing is written until the lines written before it have
    /// reached the firmware and been rejected, so none of them can drain the resent ones.
    private struct Recovery {
        var line: Int
        var startedAt: MonotonicInstant
        /// Pushed back by every further (stale) request.
        var quietUntil: MonotonicInstant
    }

    public let configuration: Configuration
    private var state = State.idle
    private var flow: FlowControl
    private var ledger = InFlightLedger()
    private var tracker: ResendTracker
    private var pending = RingBuffer<GCodeLine>(capacity: 64)
    private var control = RingBuffer<ControlMessage>(capacity: 4)
    private var priority = RingBuffer<EmergencyCommand>(capacity: 4)
    private var inputFinished = false
    private var pausedByPrinter = false
    private var recovery: Recovery?

    /// The number the next new line gets; 0 and 1 are the handshake's `M110` and `M115`.
    private var nextLineNumber = 2
    /// The next line to write: below `nextLineNumber` while resending.
    private var sendCursor = 2
    private var highestAcknowledgedLine = 0
    /// The highest line the firmware itself has stated it took, in a form one flipped bit
    /// cannot forge: `Error:... Last Line: n` with `Resend: n+1` agreeing, or a numbered
    /// sync's `ok T:`. (ADVANCED_OK's `N` is a single unchecked line: `ok N1234` can arrive as
    /// `ok N1236`.) An unconfirmed request to resend a line at or below it is a corrupted number.
    private var acceptedThrough = 1
    private var fileCommandsSent = 0
    private var linesSinceSync = 0
    /// The numbered `M105` written after the last file line; its `ok T:` ends the stream.
    private var finalSyncLine: Int?
    /// The id the latest `requestCheckpoint` handed out.
    private var lastCheckpointRequested = 0
    /// The highest checkpoint id already written or reached.
    private var lastCheckpointWritten = 0
    /// The numbered `M105` in flight that proves every line queued before it was handled,
    /// and the highest checkpoint id it settles.
    private var checkpointLine: Int?
    /// The exclusive line written last (`GCodeLine.isExclusive`); it holds the wire while the
    /// ledger still has it.
    private var exclusiveLine: Int?

    /// Set by a resend-kind `Error` or `Resend`: the next `ok` belongs to the rejected line.
    private var swallowNextOk = false
    /// From an `Error:... Last Line: n` whose `Resend:` line has not been seen (yet).
    private var resendFromError: Int?
    /// From `echo:Unknown command: "..."`: the next `ok` is that command's.
    private var unknownCommand: String?

    private var deadline: MonotonicInstant?
    private var lastHeard = MonotonicInstant.zero
    /// A sync is due now, whatever the line count since the last one.
    private var syncRequested = false
    private var consecutiveTimeouts = 0
    private var sawAdvancedOk = false
    private var firmwareInfo: FirmwareInfo?
    /// The firmware answered `M115` with "Unknown command": it has no identification to give.
    private var identifiedWithoutInfo = false
    /// The firmware printed `start` during the handshake: it rebooted, and lost its position.
    private var sawReset = false
    private var capabilities: [String: Bool] = [:]

    public private(set) var progress = StreamProgress()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let initial: FlowStrategy = if case .fixed(let strategy) = configuration.flow { strategy } else { .pingPong }
        flow = FlowControl(strategy: initial, rxBufferBytes: configuration.rxBufferBytes,
                           commandSlots: configuration.commandSlots)
        tracker = ResendTracker(capacity: configuration.historyLines,
                                maxRequestsForSameLine: configuration.maxRequestsForSameLine)
    }

    // MARK: - State queries

    public var status: Status {
        switch state {
        case .idle: .idle
        case .handshaking: .handshaking
        case .streaming: pausedByPrinter ? .pausedByPrinter : .streaming
        case .finished: .finished
        case .failed(let error): .failed(error)
        case .emergencyStopped: .emergencyStopped
        case .stopped: .stopped
        }
    }

    public var isTerminal: Bool {
        switch state {
        case .finished, .failed, .emergencyStopped, .stopped: true
        case .idle, .handshaking, .streaming: false
        }
    }

    public var flowStrategy: FlowStrategy { flow.strategy }

    /// Whether the firmware printed `start` during the handshake: it rebooted (a reset on
    /// open, a power cycle), so it lost its position and everything it had queued.
    public var firmwareRebootedDuringHandshake: Bool { sawReset }
    public var commandSlots: Int { flow.commandSlots }

    /// Whether the caller should `enqueue` more file lines now.
    public var wantsMoreLines: Bool {
        !inputFinished && pending.count < configuration.lookaheadLines && !isTerminal
    }

    /// When `clockAdvanced` must be called at the latest, if something is awaited.
    /// An exclusive line waits to be written or runs: the owner holds its own temperature
    /// polls, which could only queue up behind it.
    public var holdsForExclusiveLine: Bool {
        isExclusiveLineInFlight || (0..<pending.count).contains { pending[$0].isExclusive }
    }

    public var nextDeadline: MonotonicInstant? {
        if isTerminal { return nil }
        guard let recovery else {
            guard let stallSync = stallSyncInstant else { return deadline }
            return deadline.map { min($0, stallSync) } ?? stallSync
        }
        let resume = max(recovery.quietUntil, ledger.containsLines ? recovery.startedAt + configuration.resendPatience : recovery.quietUntil)
        return deadline.map { min($0, resume) } ?? resume
    }

    // MARK: - Events

    public mutating func start(at now: MonotonicInstant) {
        guard case .idle = state else { preconditionFailure("HostProtocol.start called in \(state)") }
        beginHandshake(attempt: 1, at: now)
    }

    public mutating func enqueue(_ line: GCodeLine) {
        precondition(!inputFinished, "HostProtocol.enqueue after finishInput")
        pending.append(line)
    }

    public mutating func finishInput() {
        inputFinished = true
    }

    /// Asks for proof that every line queued so far has been handled: a numbered `M105` goes
    /// out after them, and its `ok T:` (or the firmware's confirmed statement that it took
    /// it) yields `.checkpointReached(through:)` with this id or a later one. A connection that
    /// outlives one job uses this where a single stream uses `finishInput`: the job is done,
    /// the connection stays. Requests made before the sync is written share it.
    public mutating func requestCheckpoint() -> Int {
        lastCheckpointRequested += 1
        return lastCheckpointRequested
    }

    /// Takes back queued lines not yet written (a pause or a cancel stops feeding at once),
    /// in order; lines already written stay in flight and are seen through.
    public mutating func discardQueuedLines(where shouldDiscard: (GCodeLine) -> Bool) -> [GCodeLine] {
        var discarded: [GCodeLine] = []
        pending.filter { line in
            if shouldDiscard(line) {
                discarded.append(line)
                return false
            }
            return true
        }
        return discarded
    }

    /// The user asked to stop: no further line is handed out. Bytes already handed out must
    /// still be written whole, so no half line is left on the wire.
    public mutating func stop() {
        if !isTerminal { state = .stopped }
    }

    public mutating func emergency(_ command: EmergencyCommand) {
        switch state {
        case .emergencyStopped, .failed, .finished: return
        default: priority.append(command)
        }
    }

    public mutating func replyReceived(_ text: Substring, at now: MonotonicInstant) -> Event? {
        let reply = FirmwareReply(parsing: text)
        switch state {
        case .idle, .finished, .failed, .emergencyStopped:
            return passive(reply)
        case .handshaking(let handshake):
            return handshakeReply(reply, text: text, handshake: handshake, at: now)
        case .streaming, .stopped:
            // A command that holds the wire (M303) prints only its own lines, temperatures every
            // 2 s (`Temperature::PID_autotune`); any of them shows it still runs. Silence still
            // times out: a line lost on the way leaves the firmware idle and quiet.
            if isExclusiveLineInFlight { heardFromFirmware(at: now) }
            return streamingReply(reply, at: now)
        }
    }

    public mutating func clockAdvanced(to now: MonotonicInstant) -> Event? {
        if let stallSync = stallSyncInstant, now >= stallSync {
            syncRequested = true
        }
        if let current = recovery, now >= current.quietUntil,
           !ledger.containsLines || now >= current.startedAt + configuration.resendPatience {
            // Whatever was written before the request has reached the firmware and been
            // rejected: resending cannot be drained any more.
            recovery = nil
        }
        guard let due = deadline, now >= due else { return nil }
        switch state {
        case .handshaking(let handshake):
            return retryHandshake(after: handshake.attempt, at: now) ?? .timeout(consecutive: handshake.attempt)
        case .streaming, .stopped:
            guard !ledger.isEmpty else {
                deadline = nil
                return nil
            }
            consecutiveTimeouts += 1
            progress.timeouts += 1
            if consecutiveTimeouts > configuration.maxConsecutiveTimeouts {
                return fail(.notResponding(timeouts: consecutiveTimeouts - 1, lastAcknowledgedLine: progress.linesAcknowledged))
            }
            // Silence while something is awaited means the firmware is idle: every byte it got
            // has been handled. Resending the oldest unacknowledged line is always safe — the
            // firmware's line check rejects it if it was taken (and the rejection says what it
            // has), completes a line whose newline was lost, or is simply the line it waits for.
            ledger.discardUnnumbered()
            ledger.discardLines(through: acceptedThrough)  // the firmware said it took them; it is idle now
            if let oldest = ledger.oldestLine {
                ledger.discardLines(from: oldest)
                sendCursor = oldest
                recovery = nil
                flow.forgetQueueDepth()
            }
            swallowNextOk = false
            resendFromError = nil
            deadline = now + configuration.communicationTimeout * (consecutiveTimeouts + 1)
            return .timeout(consecutive: consecutiveTimeouts)
        case .idle, .finished, .failed, .emergencyStopped:
            deadline = nil
            return nil
        }
    }

    /// The next bytes to write, or `nil` when nothing may be written now.
    public mutating func nextTransmission(at now: MonotonicInstant) -> Transmission? {
        if let command = priority.popFirst() {
            return emergencyTransmission(command, at: now)
        }
        switch state {
        case .handshaking:
            guard let message = control.popFirst() else { return nil }
            return controlTransmission(message, at: now)
        case .streaming:
            guard recovery == nil, !pausedByPrinter else { return nil }
            return lineTransmission(at: now)
        case .idle, .finished, .failed, .emergencyStopped, .stopped:
            return nil
        }
    }

    // MARK: - Handshake

    private mutating func beginHandshake(attempt: Int, at now: MonotonicInstant) {
        state = .handshaking(.awaitingIdentification(attempt: attempt))
        ledger.removeAll()
        control.removeAll()
        control.append(.hello)
        control.append(.identify)
        firmwareInfo = nil
        identifiedWithoutInfo = false
        capabilities = [:]
        swallowNextOk = false
        resendFromError = nil
        deadline = now + configuration.handshakeTimeout
    }

    private mutating func retryHandshake(after attempt: Int, at now: MonotonicInstant) -> Event? {
        if attempt >= configuration.handshakeAttempts {
            return fail(.noResponse(attempts: attempt))
        }
        beginHandshake(attempt: attempt + 1, at: now)
        return nil
    }

    private mutating func handshakeReply(_ reply: FirmwareReply, text: Substring, handshake: Handshake, at now: MonotonicInstant) -> Event? {
        // Anything heard means the firmware is alive, perhaps still working through a previous
        // session's queue (whose moves may keep it silent up to a keepalive interval): a retry
        // only follows a silence as long as the streaming timeout.
        deadline = now + max(configuration.handshakeTimeout, configuration.communicationTimeout)
        if case .ok(let ok) = reply, ok.isAdvanced { sawAdvancedOk = true }
        switch (handshake, reply) {
        case (_, .start):
            // The board rebooted: what it had received is gone. Bounded, so a boot loop is an error.
            sawReset = true
            return retryHandshake(after: handshake.attempt, at: now)
        case (.awaitingIdentification(let attempt), .firmwareInfo(let info)):
            firmwareInfo = info
            state = .handshaking(.identified(attempt: attempt))
            return nil
        case (.awaitingIdentification(let attempt), .unknownCommand(let command)) where command.hasPrefix("M115"):
            identifiedWithoutInfo = true
            state = .handshaking(.identified(attempt: attempt))
            return nil
        case (.awaitingIdentification(let attempt), .capability(let name, let enabled)):
            // `Cap:` lines only follow FIRMWARE_NAME; one whose name line was damaged still identifies.
            capabilities[name] = enabled
            state = .handshaking(.identified(attempt: attempt))
            return nil
        case (.awaitingIdentification, .temperature), (.awaitingIdentification, .busy), (.awaitingIdentification, .echo):
            return passive(reply)
        case (.awaitingIdentification, _):
            return .ignored(String(text))
        case (.identified, .capability(let name, let enabled)):
            capabilities[name] = enabled
            return nil
        case (.identified(let attempt), .ok):
            state = .handshaking(.confirming(attempt: attempt))
            control.append(.confirm)
            return nil
        case (.identified, _):
            return passive(reply)
        case (.confirming(let attempt), .ok(let ok)) where ok.temperatures != nil:
            ledger.removeAll()
            state = .handshaking(.renumbering(attempt: attempt))
            control.append(.renumber)
            return nil
        case (.confirming, .temperature), (.confirming, .busy), (.confirming, .echo):
            return passive(reply)
        case (.confirming, _):
            return .ignored(String(text))
        case (.renumbering, .ok):
            return finishHandshake(at: now)
        case (.renumbering(let attempt), .resend):
            return retryHandshake(after: attempt, at: now)
        case (.renumbering(let attempt), .error(let error)) where error.requestsResend:
            // The renumber arrived damaged; the rest of the answer (`Resend:`, `ok`) reaches
            // the next attempt, which ignores it until its identification.
            return retryHandshake(after: attempt, at: now)
        case (.renumbering, _):
            return passive(reply)
        }
    }

    private mutating func finishHandshake(at now: MonotonicInstant) -> Event {
        let strategy: FlowStrategy
        switch configuration.flow {
        case .fixed(let fixed):
            strategy = fixed
        case .auto:
            strategy = (capabilities["ADVANCED_OK"] == true || sawAdvancedOk) ? .advancedOK : .window
        }
        flow = FlowControl(strategy: strategy, rxBufferBytes: configuration.rxBufferBytes,
                           commandSlots: configuration.commandSlots)
        progress.flow = strategy
        // Every handshake line was handled (the renumber's `ok` came last).
        ledger.removeAll()
        state = .streaming
        lastHeard = now
        deadline = nil
        consecutiveTimeouts = 0
        return .identified(firmwareInfo, capabilities: capabilities, flow: strategy)
    }

    // MARK: - Streaming replies

    private mutating func streamingReply(_ reply: FirmwareReply, at now: MonotonicInstant) -> Event? {
        switch reply {
        case .ok(let ok):
            heardFromFirmware(at: now)
            return handleOk(ok, at: now)
        case .resend(let line):
            heardFromFirmware(at: now)
            let fromError = resendFromError
            resendFromError = nil
            swallowNextOk = true
            if let fromError, fromError != line {
                // `Error:... Last Line:` and `Resend:` disagree: one of them was damaged. Every
                // line still on its way draws the pair again, and a timeout resends anyway.
                progress.ignoredResendRequests += 1
                return nil
            }
            return handleResendRequest(line, confirmedByError: fromError == line, at: now)
        case .error(let error):
            heardFromFirmware(at: now)
            if error.requestsResend {
                swallowNextOk = true
                resendFromError = error.lastLine.map { $0 + 1 }
                progress.lineErrors += 1
                return nil
            }
            switch error {
            case .halted(let message), .stopped(let message):
                return fail(.printerHalted(message: message, lastAcknowledgedLine: progress.linesAcknowledged))
            case .thermal(let message):
                return fail(.thermalError(message: message, lastAcknowledgedLine: progress.linesAcknowledged))
            case .other(let message):
                return .firmwareError(message)
            case .lineNumber, .checksumMismatch, .missingChecksum:
                return nil
            }
        case .busy:
            heardFromFirmware(at: now)
            return nil
        case .temperature(let report) where report.isHeatingWait:
            heardFromFirmware(at: now)
            return .temperature(report)
        case .wait:
            // Marlin's idle signal: its queue is empty, so whatever is still awaited was lost.
            if !ledger.isEmpty, recovery == nil { deadline = now }
            return clockAdvanced(to: now)
        case .start:
            return fail(.firmwareReset(lastAcknowledgedLine: progress.linesAcknowledged))
        case .unknownCommand(let command):
            unknownCommand = command
            return .firmwareMessage("Unknown command: \"\(command)\"")
        case .action(let action):
            switch action {
            case .pause:
                if configuration.printerPauseHoldsStream { pausedByPrinter = true }
            case .paused:
                pausedByPrinter = true
            case .resume, .resumed:
                pausedByPrinter = false
            case .cancel:
                if configuration.printerCancelEndsStream {
                    return fail(.cancelledByPrinter(lastAcknowledgedLine: progress.linesAcknowledged))
                }
            case .disconnect, .other:
                break
            }
            return .hostAction(action)
        default:
            return passive(reply)
        }
    }

    private func passive(_ reply: FirmwareReply) -> Event? {
        switch reply {
        case .temperature(let report): .temperature(report)
        case .ok(let ok): ok.temperatures.map { .temperature($0) }
        case .echo(let text): .firmwareMessage(text)
        case .error(let error): .firmwareError("\(error)")
        case .action(let action): .hostAction(action)
        case .other(let text): .unrecognised(text)
        case .unknownCommand(let command): .firmwareMessage("Unknown command: \"\(command)\"")
        case .busy, .wait, .start, .resend, .capability, .firmwareInfo: nil
        }
    }

    private mutating func heardFromFirmware(at now: MonotonicInstant) {
        consecutiveTimeouts = 0
        lastHeard = now
        deadline = now + configuration.communicationTimeout
    }

    /// When a stall sync is due: lines in flight, none of them an `M105`, and silence.
    private var stallSyncInstant: MonotonicInstant? {
        guard case .streaming = state, recovery == nil, !syncRequested, ledger.containsLines, !isExclusiveLineInFlight,
              ledger.oldestTemperatureQuery == nil, sendCursor == nextLineNumber else { return nil }
        return lastHeard + configuration.stallSyncDelay
    }

    /// Attributes one `ok` to what it acknowledges; see `InFlightLedger` for why the count
    /// is re-synchronised rather than trusted.
    private mutating func handleOk(_ ok: OkReply, at now: MonotonicInstant) -> Event? {
        if ok.isAdvanced { sawAdvancedOk = true }
        if swallowNextOk {
            swallowNextOk = false
            if let line = resendFromError {
                resendFromError = nil  // the `Resend:` line itself was lost: the `Error:` said which
                return handleResendRequest(line, confirmedByError: false, at: now)
            }
            return nil
        }
        if let command = unknownCommand {
            unknownCommand = nil
            if command != oldestCommandText {
                progress.ignoredOks += 1  // the ok of a tail fragment left by an RX drain
                return nil
            }
        }
        if let temperatures = ok.temperatures, let query = ledger.oldestTemperatureQuery {
            // Only M105 answers `ok T:`, in order: everything up to the oldest M105 in flight
            // is handled (if an earlier M105's answer was lost, this under-counts; never over).
            return acknowledge(through: query.sequence, provenByTemperatureOk: true, at: now) ?? .temperature(temperatures)
        }
        if flow.strategy == .advancedOK && sawAdvancedOk {
            if let line = ok.lineNumber {
                var event: Event?
                if let sequence = ledger.sequence(ofLine: line) {
                    event = acknowledge(through: sequence, provenByTemperatureOk: false, at: now)
                }
                flow.observe(ok, ledger: ledger)
                return event
            }
            // Without N: an unnumbered command's ok, or (bare) an error's ok whose Resend was lost.
            if ok.isAdvanced, let oldest = ledger.oldest, !oldest.isLine {
                let event = acknowledge(through: oldest.sequence, provenByTemperatureOk: false, at: now)
                flow.observe(ok, ledger: ledger)
                return event
            }
            progress.ignoredOks += 1
            return nil
        }
        guard let oldest = ledger.oldest else {
            progress.ignoredOks += 1
            return nil
        }
        return acknowledge(through: oldest.sequence, provenByTemperatureOk: false, at: now)
    }

    private var oldestCommandText: String? {
        guard let oldest = ledger.oldest else { return nil }
        switch oldest.kind {
        case .line(let number):
            return tracker.sentLine(number).map { String(decoding: $0.command, as: UTF8.self) }
        case .query: return "M115"
        case .emergency: return nil
        }
    }

    /// The `ok` at `now` is the answer to the entry with `sequence`: its latency is measured;
    /// the entries before it, whose own `ok`s were lost, are not.
    private mutating func acknowledge(through sequence: Int, provenByTemperatureOk: Bool, at now: MonotonicInstant) -> Event? {
        let removed = ledger.acknowledge(through: sequence)
        if let answered = removed.last, answered.sequence == sequence { progress.replyLatency.record(now - answered.writtenAt) }
        flow.entriesAcknowledged(removed.count)
        var event: Event?
        for entry in removed {
            guard case .line(let number) = entry.kind else { continue }
            if provenByTemperatureOk { acceptedThrough = max(acceptedThrough, number) }
            if number > highestAcknowledgedLine {
                highestAcknowledgedLine = number
                tracker.progressed(through: number)
                progress.highestAcknowledgedLineNumber = number
                if let line = tracker.sentLine(number) { progress.linesAcknowledged = line.fileCommands }
            }
            if let checkpoint = checkpointLine, number >= checkpoint, sendCursor >= checkpoint {
                if provenByTemperatureOk {
                    // Any later proven sync proves the checkpoint too.
                    checkpointLine = nil
                    if sendCursor == checkpoint { sendCursor = checkpoint + 1 }  // its rewrite is needless now
                    event = .checkpointReached(through: lastCheckpointWritten)
                } else if number == checkpoint {
                    proveAgain(sync: number)
                }
            }
            if number == finalSyncLine, sendCursor >= number {
                if provenByTemperatureOk {
                    sendCursor = nextLineNumber
                    return finish()
                }
                proveAgain(sync: number)
            }
        }
        return event
    }

    /// A plain `ok` for a sync proves nothing (it may be a lost `ok` of an earlier line).
    /// The last line written is simply written again: the firmware answers `ok T:`, or rejects
    /// it as already taken, which is proof too. With lines after it, a new sync proves it.
    private mutating func proveAgain(sync number: Int) {
        if number == nextLineNumber - 1, sendCursor == nextLineNumber {
            sendCursor = number
        } else {
            syncRequested = true
        }
    }

    private mutating func finish() -> Event {
        state = .finished
        deadline = nil
        progress.linesAcknowledged = fileCommandsSent
        return .finished
    }

    private mutating func handleResendRequest(_ line: Int, confirmedByError: Bool, at now: MonotonicInstant) -> Event? {
        if line <= acceptedThrough && !confirmedByError {
            progress.ignoredResendRequests += 1
            return nil
        }
        if confirmedByError {
            acceptedThrough = max(acceptedThrough, line - 1)
            if let current = recovery, current.line != line {
                recovery = nil  // the firmware says plainly where it stands: that wins
            }
        }
        if var current = recovery {
            // Caused by a line written before the rewind: it changes nothing, but shows that
            // such lines are still arriving, so the resend waits a little longer.
            if current.line == line {
                current.quietUntil = max(current.quietUntil, now + configuration.resendQuietPeriod)
                recovery = current
            }
            progress.ignoredResendRequests += 1
            return nil
        }
        if line == nextLineNumber, confirmedByError {
            // `Error:... Last Line: n-1` and `Resend: n` agree that the firmware took every line
            // written (this is how it answers a line resent after a timeout whose `ok` was lost).
            ledger.discardLines(from: 0)
            flow.forgetQueueDepth()
            progress.linesAcknowledged = fileCommandsSent
            highestAcknowledgedLine = nextLineNumber - 1
            progress.highestAcknowledgedLineNumber = highestAcknowledgedLine
            if finalSyncLine != nil { return finish() }
            if checkpointLine != nil {
                checkpointLine = nil
                return .checkpointReached(through: lastCheckpointWritten)
            }
            return nil
        }
        switch tracker.decide(request: line, nextNumber: nextLineNumber) {
        case .rewind(let target):
            let stale = ledger.discardLines(from: target)
            flow.forgetQueueDepth()
            sendCursor = target
            progress.resendRequests += 1
            let travelling = Duration.seconds(Double(stale) / Double(max(1, configuration.wireBytesPerSecond)))
            recovery = Recovery(line: target, startedAt: now, quietUntil: now + travelling + configuration.resendQuietPeriod)
            return .resendRequested(line: target)
        case .ignoreAlreadyCurrent, .ignoreImplausible:
            progress.ignoredResendRequests += 1
            return nil
        case .outOfHistory(let requested, let oldest):
            return fail(.resendOutOfHistory(requested: requested, oldestKept: oldest))
        case .stuck(let line, let times):
            return fail(.resendStuck(line: line, times: times))
        }
    }

    private mutating func fail(_ error: HostProtocolError) -> Event {
        state = .failed(error)
        deadline = nil
        return .failed(error)
    }

    // MARK: - Transmissions

    private mutating func emergencyTransmission(_ command: EmergencyCommand, at now: MonotonicInstant) -> Transmission {
        let bytes = Array((command.text + "\n").utf8)
        progress.bytesSent += bytes.count
        if command == .emergencyStop {
            state = .emergencyStopped
            deadline = nil
        } else {
            ledger.record(.emergency, byteCount: bytes.count, at: now)
        }
        return Transmission(bytes: bytes, kind: .emergency(command))
    }

    private mutating func controlTransmission(_ message: ControlMessage, at now: MonotonicInstant) -> Transmission {
        let bytes: [UInt8]
        let kind: Transmission.Kind
        switch message {
        case .hello:
            // The newline first ends whatever a previous session left half-written in the
            // firmware's buffer: Marlin refuses that fragment (a numbered line without its
            // checksum) on its own instead of gluing it to the hello.
            bytes = [UInt8(ascii: "\n")] + LineFraming.framed(number: 0, command: Array("M110 N0".utf8))
            ledger.record(.line(0), byteCount: bytes.count, at: now)
            kind = .hello
        case .identify:
            // Numbered like everything the host originates: an unnumbered `M115` with one bit
            // flipped reads `M1` to Marlin, which then stops and waits for a button press.
            bytes = LineFraming.framed(number: 1, command: Array("M115".utf8))
            ledger.record(.query, byteCount: bytes.count, at: now)
            kind = .identify
        case .confirm:
            bytes = LineFraming.framed(number: 0, command: Array("M110 N0".utf8))
                + LineFraming.framed(number: 1, command: Self.syncCommand)
            ledger.record(.line(1), byteCount: bytes.count, isTemperatureQuery: true, at: now)
            kind = .confirm
        case .renumber:
            bytes = LineFraming.framed(number: 1, command: Array("M110 N1".utf8))
            ledger.record(.line(1), byteCount: bytes.count, at: now)
            kind = .renumber
        }
        progress.bytesSent += bytes.count
        return Transmission(bytes: bytes, kind: kind)
    }

    private static let syncCommand = Array("M105".utf8)

    private mutating func lineTransmission(at now: MonotonicInstant) -> Transmission? {
        // Nothing follows an exclusive line until its `ok`: on STM32 native-USB boards Marlin
        // flushes its receive buffer when M303 ends (`M303.cpp`, `queue.flush_rx()`), so a line
        // or sync sent meanwhile would be lost without an answer.
        guard !isExclusiveLineInFlight else { return nil }
        let isRetransmission = sendCursor < nextLineNumber
        let sent: ResendTracker.SentLine
        if isRetransmission {
            // An exclusive line goes out alone, after everything before it was acknowledged.
            guard sendCursor != exclusiveLine || ledger.isEmpty else { return nil }
            guard let line = tracker.sentLine(sendCursor) else {
                _ = fail(.resendOutOfHistory(requested: sendCursor, oldestKept: tracker.oldestKept ?? nextLineNumber))
                return nil
            }
            guard flow.allows(byteCount: line.framed.count, ledger: ledger) else { return nil }
            sent = line
            progress.retransmittedLines += 1
        } else {
            let checkpointDue = lastCheckpointRequested > lastCheckpointWritten && pending.isEmpty && checkpointLine == nil
            let sync = needsSync || syncRequested || checkpointDue || (inputFinished && pending.isEmpty && finalSyncLine == nil)
            let next: GCodeLine?
            if sync {
                next = nil
            } else if let first = pending.first {
                guard !first.isExclusive || ledger.isEmpty else { return nil }
                next = first
            } else {
                return nil
            }
            let command = next?.command ?? Self.syncCommand
            // Sized before it is framed: while the window is full this runs on every wake-up.
            let byteCount = LineFraming.framedLength(number: nextLineNumber, command: command)
            // A stall sync may exceed the line count (the lines counted may be phantoms whose
            // `ok`s were lost), never the RX buffer.
            let allowed = next == nil && syncRequested
                ? flow.allowsBytesOnly(byteCount: byteCount, ledger: ledger)
                : flow.allows(byteCount: byteCount, ledger: ledger)
            guard allowed else { return nil }
            if let next {
                sent = newLine(sourceLine: next.sourceLine, command: command, fileCommands: fileCommandsSent + 1,
                               original: next.original)
                if next.isExclusive { exclusiveLine = sent.number }
                pending.popFirst()
                fileCommandsSent += 1
                progress.linesSent = fileCommandsSent
                linesSinceSync += 1
            } else {
                // A numbered M105: accepted only if every earlier line was, and answered `ok T:`,
                // which no other command produces — a fact about the stream that no lost or forged
                // `ok` can fake.
                sent = newLine(sourceLine: 0, command: command, fileCommands: fileCommandsSent, original: "")
                linesSinceSync = 0
                syncRequested = false
                if inputFinished && pending.isEmpty { finalSyncLine = sent.number }
                if checkpointDue {
                    checkpointLine = sent.number
                    lastCheckpointWritten = lastCheckpointRequested
                }
            }
            tracker.remember(sent)
            nextLineNumber += 1
        }
        sendCursor += 1
        ledger.record(.line(sent.number), byteCount: sent.framed.count, isTemperatureQuery: isTemperatureQuery(sent.command), at: now)
        progress.bytesSent += sent.framed.count
        if deadline == nil { deadline = now + configuration.communicationTimeout }
        return Transmission(bytes: sent.framed,
                            kind: .line(number: sent.number, sourceLine: sent.sourceLine, isRetransmission: isRetransmission),
                            original: sent.original)
    }

    private func newLine(sourceLine: Int, command: [UInt8], fileCommands: Int, original: String) -> ResendTracker.SentLine {
        ResendTracker.SentLine(number: nextLineNumber, sourceLine: sourceLine, fileCommands: fileCommands, command: command,
                               framed: LineFraming.framed(number: nextLineNumber, command: command), original: original)
    }

    /// The exclusive line written last is still awaited.
    private var isExclusiveLineInFlight: Bool {
        exclusiveLine.map { ledger.sequence(ofLine: $0) != nil } ?? false
    }

    private var needsSync: Bool {
        flow.strategy != .advancedOK && configuration.syncEveryLines > 0
            && linesSinceSync >= configuration.syncEveryLines && ledger.oldestTemperatureQuery == nil
    }

    private func isTemperatureQuery(_ command: [UInt8]) -> Bool {
        command.count >= 4 && command[0] == UInt8(ascii: "M") && command[1] == UInt8(ascii: "1")
            && command[2] == UInt8(ascii: "0") && command[3] == UInt8(ascii: "5")
            && (command.count == 4 || command[4] == UInt8(ascii: " "))
    }
}

extension InFlightLedger.Entry {
    var isLine: Bool {
        if case .line = kind { return true }
        return false
    }
}
