/// The host side of Marlin's serial protocol, as a state machine without I/O.
///
/// The caller owns the port and the clock. It feeds events — `start`, `enqueue`(file lines),
/// `replyReceived`, `clockAdvanced`, `emergency`, `stop` — and after each one writes
/// whatever `nextTransmission` hands out until it returns `nil`. Every decision depends only
/// on those events, so tests drive it with a manual clock and a simulated firmware.
///
/// See docs/protocol.md for the rules and the firmware behaviour they rely on.
public struct HostProtocol: Sendable {
    public struct Configuration: Sendable {
        public var flow: FlowSelection = .auto
        public var rxBufferBytes = 128
        public var commandSlots = 4
        /// Framed lines kept for resends.
        public var historyLines = 1024
        /// Silence (no `ok`, `busy`, error or resend) after which the host pokes with `M105`.
        /// Marlin sends `busy: processing` every 2 s while a command runs, so a longer silence
        /// means the firmware is idle: an `ok` or a line was lost.
        public var communicationTimeout: Duration = .seconds(4)
        /// Pokes in a row without any answer before the printer is declared gone.
        public var maxConsecutiveTimeouts = 5
        public var handshakeTimeout: Duration = .seconds(2)
        public var handshakeAttempts = 5
        /// With plain `ok`s, an `M105` every this many lines re-synchronises the count of lines
        /// in flight, so a lost `ok` costs a fraction of the window for a moment instead of a
        /// stall. 0 turns it off. ADVANCED_OK needs none: every `ok` names its line.
        public var syncEveryLines = 64
        public var maxRequestsForSameLine = 10
        /// File lines the caller should keep queued ahead of the wire.
        public var lookaheadLines = 32

        public init() {}
    }

    public enum Status: Sendable, Equatable {
        case idle
        case handshaking
        case streaming
        /// The printer asked to pause (`//action:pause`); nothing new is sent until it resumes.
        case pausedByPrinter
        case finished
        case failed(HostProtocolError)
        /// `M112` went out: the firmware is halted and nothing more is sent.
        case emergencyStopped
        /// The user stopped the stream: nothing more is sent.
        case stopped
    }

    public enum EmergencyCommand: Sendable, Equatable {
        /// `M112`: kill the firmware at once (heaters and motors off).
        case emergencyStop
        /// `M108`: break out of a heating or user wait.
        case cancelWait
        /// `M410`: stop all motion, discarding the planner.
        case quickStop
        /// `M876 S<n>`: answer a host prompt.
        case promptResponse(Int)

        var text: String {
            switch self {
            case .emergencyStop: "M112"
            case .cancelWait: "M108"
            case .quickStop: "M410"
            case .promptResponse(let choice): "M876 S\(choice)"
            }
        }
    }

    public struct Transmission: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case hello
            case identify
            case line(number: Int, sourceLine: Int, isRetransmission: Bool)
            case poke
            case emergency(EmergencyCommand)
        }

        public var bytes: [UInt8]
        public var kind: Kind
    }

    /// Something the caller may want to show or log.
    public enum Event: Sendable, Equatable {
        case identified(FirmwareInfo?, capabilities: [String: Bool], flow: FlowStrategy)
        case temperature(TemperatureReport)
        case hostAction(HostAction)
        case resendRequested(line: Int)
        case timeout(consecutive: Int)
        case firmwareMessage(String)
        case firmwareError(String)
        case unrecognised(String)
        case finished
        case failed(HostProtocolError)
    }

    private enum State {
        case idle
        case handshaking(Handshake)
        case streaming
        case finished
        case failed(HostProtocolError)
        case emergencyStopped
        case stopped
    }

    private enum Handshake {
        /// `N0 M110 N0` is out; its `ok` proves the link and resets line numbers.
        case hello(attempt: Int)
        /// `M115` is out; collecting `FIRMWARE_NAME` and `Cap:` lines until its `ok`.
        case identifying(attempt: Int)
    }

    private enum ControlMessage: Equatable {
        case hello
        case identify
        /// An `M105` that re-synchronises; `bypassWindow` when the ledger is not trusted.
        case poke(bypassWindow: Bool)
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

    /// The number the next new file line gets; line 0 is the hello.
    private var nextLineNumber = 1
    /// The next line to write: below `nextLineNumber` while resending.
    private var sendCursor = 1
    private var highestAcknowledgedLine = 0
    private var lastLineTransmissionSequence = -1
    private var linesSinceSync = 0

    /// Set by a resend-kind `Error` or `Resend`: the next `ok` belongs to the rejected line.
    private var swallowNextOk = false
    /// From an `Error:... Last Line: n` whose `Resend:` line has not been seen (yet).
    private var resendFromError: Int?
    /// From `echo:Unknown command: "..."`: the next `ok` is that command's.
    private var unknownCommand: String?

    /// An `ok T:` answered a poke written after the last line: everything before it is handled.
    private var proofOfCompletion = false
    private var deadline: MonotonicInstant?
    private var consecutiveTimeouts = 0
    private var sawAdvancedOk = false
    private var firmwareInfo: FirmwareInfo?
    /// The firmware answered `M115` with "Unknown command": it has no identification to give.
    private var identifiedWithoutInfo = false
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
    public var commandSlots: Int { flow.commandSlots }

    /// Whether the caller should `enqueue` more file lines now.
    public var wantsMoreLines: Bool {
        !inputFinished && pending.count < configuration.lookaheadLines && !isTerminal
    }

    /// When `clockAdvanced` must be called at the latest, if something is awaited.
    public var nextDeadline: MonotonicInstant? { isTerminal ? nil : deadline }

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
            return handshakeReply(reply, handshake: handshake, at: now)
        case .streaming, .stopped:
            return streamingReply(reply, at: now)
        }
    }

    public mutating func clockAdvanced(to now: MonotonicInstant) -> Event? {
        guard let due = deadline, now >= due else { return nil }
        switch state {
        case .handshaking(let handshake):
            let attempt = switch handshake {
            case .hello(let attempt), .identifying(let attempt): attempt
            }
            return retryHandshake(after: attempt, at: now) ?? .timeout(consecutive: attempt)
        case .streaming, .stopped:
            guard !ledger.isEmpty || !control.isEmpty else {
                deadline = nil
                return nil
            }
            consecutiveTimeouts += 1
            progress.timeouts += 1
            if consecutiveTimeouts > configuration.maxConsecutiveTimeouts {
                return fail(.notResponding(timeouts: consecutiveTimeouts - 1, lastAcknowledgedLine: highestAcknowledgedLine))
            }
            // Silence while a command is expected means the firmware is idle: every line it
            // received has been handled, so no stale resend request can still arrive and no
            // earlier poke will be answered. A fresh poke either completes a line whose
            // newline was lost (and draws a Resend) or comes back as `ok T:` and settles the count.
            ledger.discardPokes()
            tracker.clearBarrier()
            control.removeAll(.poke(bypassWindow: false))
            if !control.contains(.poke(bypassWindow: true)) {
                control.prepend(.poke(bypassWindow: true))
            }
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
        case .handshaking, .streaming:
            break
        case .idle, .finished, .failed, .emergencyStopped, .stopped:
            return nil
        }
        if let message = control.first, let transmission = controlTransmission(message, at: now) {
            control.popFirst()
            return transmission
        }
        guard case .streaming = state, control.isEmpty, !pausedByPrinter else { return nil }
        if tracker.needsBarrierTransmission { return nil }
        return lineTransmission(at: now)
    }

    // MARK: - Handshake

    private mutating func beginHandshake(attempt: Int, at now: MonotonicInstant) {
        state = .handshaking(.hello(attempt: attempt))
        ledger.removeAll()
        control.removeAll()
        control.append(.hello)
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

    private mutating func handshakeReply(_ reply: FirmwareReply, handshake: Handshake, at now: MonotonicInstant) -> Event? {
        let attempt = switch handshake {
        case .hello(let attempt), .identifying(let attempt): attempt
        }
        switch reply {
        case .ok(let ok):
            if ok.isAdvanced { sawAdvancedOk = true }
            if swallowNextOk {
                swallowNextOk = false
                return retryHandshake(after: attempt, at: now)
            }
            guard let oldest = ledger.acknowledgeOldest() else { return nil }
            switch oldest.kind {
            case .line(0):
                state = .handshaking(.identifying(attempt: attempt))
                firmwareInfo = nil
                identifiedWithoutInfo = false
                control.append(.identify)
                deadline = now + configuration.handshakeTimeout
                return nil
            case .query where firmwareInfo != nil || identifiedWithoutInfo:
                return finishHandshake(at: now)
            case .query:
                // An `ok` left over from before the hello (a previous session's queue):
                // M115's own `ok` comes after its FIRMWARE_NAME line.
                ledger.record(.query, byteCount: oldest.byteCount)
                return nil
            default:
                return nil
            }
        case .resend, .error(.lineNumber), .error(.checksumMismatch), .error(.missingChecksum):
            swallowNextOk = true  // the hello arrived damaged: try again after this error's ok
            return nil
        case .start:
            beginHandshake(attempt: attempt, at: now)
            return nil
        case .unknownCommand(let command) where command.hasPrefix("M115"):
            identifiedWithoutInfo = true
            return nil
        case .firmwareInfo(let info):
            firmwareInfo = info
            return nil
        case .capability(let name, let enabled):
            capabilities[name] = enabled
            return nil
        default:
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
        state = .streaming
        deadline = nil
        consecutiveTimeouts = 0
        return .identified(firmwareInfo, capabilities: capabilities, flow: strategy)
    }

    // MARK: - Streaming replies

    private mutating func streamingReply(_ reply: FirmwareReply, at now: MonotonicInstant) -> Event? {
        switch reply {
        case .ok(let ok):
            heardProgress(at: now)
            handleOk(ok)
            return completionCheck()
        case .resend(let line):
            heardProgress(at: now)
            resendFromError = nil
            swallowNextOk = true
            return handleResendRequest(line)
        case .error(let error):
            heardProgress(at: now)
            if error.requestsResend {
                swallowNextOk = true
                resendFromError = error.lastLine.map { $0 + 1 }
                progress.lineErrors += 1
                return nil
            }
            switch error {
            case .halted(let message), .stopped(let message):
                return fail(.printerHalted(message: message, lastAcknowledgedLine: highestAcknowledgedLine))
            case .thermal(let message):
                return fail(.thermalError(message: message, lastAcknowledgedLine: highestAcknowledgedLine))
            case .other(let message):
                return .firmwareError(message)
            case .lineNumber, .checksumMismatch, .missingChecksum:
                return nil
            }
        case .busy:
            heardProgress(at: now)
            return nil
        case .wait:
            // Marlin's idle signal: its queue is empty, so anything still in the ledger lost its `ok`.
            if !ledger.isEmpty && !ledger.hasPoke && !control.contains(.poke(bypassWindow: true)) {
                control.append(.poke(bypassWindow: true))
            }
            return nil
        case .start:
            return fail(.firmwareReset(lastAcknowledgedLine: highestAcknowledgedLine))
        case .unknownCommand(let command):
            unknownCommand = command
            return .firmwareMessage("Unknown command: \"\(command)\"")
        case .action(let action):
            switch action {
            case .pause, .paused:
                pausedByPrinter = true
            case .resume, .resumed:
                pausedByPrinter = false
            case .cancel:
                return fail(.cancelledByPrinter(lastAcknowledgedLine: highestAcknowledgedLine))
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

    private mutating func heardProgress(at now: MonotonicInstant) {
        consecutiveTimeouts = 0
        deadline = now + configuration.communicationTimeout
    }

    /// Attributes one `ok` to what it acknowledges; see `InFlightLedger` for why the count
    /// is re-synchronised rather than trusted.
    private mutating func handleOk(_ ok: OkReply) {
        if ok.isAdvanced { sawAdvancedOk = true }
        if swallowNextOk {
            swallowNextOk = false
            if let line = resendFromError {
                resendFromError = nil
                _ = handleResendRequest(line)
            }
            return
        }
        if let command = unknownCommand {
            unknownCommand = nil
            if command != oldestCommandText {
                progress.ignoredOks += 1  // the ok of a tail fragment left by an RX drain
                return
            }
        }
        if ok.temperatures != nil, let query = ledger.oldestTemperatureQuery {
            acknowledge(through: query.sequence, viaTemperatureOk: true)
            return
        }
        if flow.strategy == .advancedOK && sawAdvancedOk {
            if let line = ok.lineNumber {
                if let sequence = ledger.sequence(ofLine: line) {
                    acknowledge(through: sequence, viaTemperatureOk: false)
                }
                flow.observe(ok, ledger: ledger)
                return
            }
            // Without N: an unnumbered command's ok, or (bare) an error's ok whose Resend was lost.
            if ok.isAdvanced, let oldest = ledger.oldest, !oldest.isLine {
                acknowledge(through: oldest.sequence, viaTemperatureOk: false)
                flow.observe(ok, ledger: ledger)
            } else {
                progress.ignoredOks += 1
            }
            return
        }
        if let oldest = ledger.oldest {
            acknowledge(through: oldest.sequence, viaTemperatureOk: false)
        } else {
            progress.ignoredOks += 1
        }
    }

    private var oldestCommandText: String? {
        guard let oldest = ledger.oldest else { return nil }
        switch oldest.kind {
        case .line(let number):
            return tracker.sentLine(number).map { String(decoding: $0.command, as: UTF8.self) }
        case .poke: return "M105"
        case .query: return "M115"
        case .emergency: return nil
        }
    }

    private mutating func acknowledge(through sequence: Int, viaTemperatureOk: Bool) {
        let removed = ledger.acknowledge(through: sequence)
        flow.entriesAcknowledged(removed.count)
        var provesEverythingSent = false
        for entry in removed {
            switch entry.kind {
            case .line(let number):
                if number > highestAcknowledgedLine {
                    highestAcknowledgedLine = number
                    tracker.progressed(through: number)
                }
            case .poke:
                if viaTemperatureOk {
                    tracker.acknowledged(sequence: entry.sequence)
                    if entry.sequence > lastLineTransmissionSequence { provesEverythingSent = true }
                }
            case .query, .emergency:
                break
            }
        }
        progress.linesAcknowledged = highestAcknowledgedLine
        if provesEverythingSent && sendCursor == nextLineNumber {
            // An `ok T:` for a poke written after the last line: the firmware has handled
            // every line before it, whatever `ok`s were lost on the way.
            highestAcknowledgedLine = nextLineNumber - 1
            progress.linesAcknowledged = highestAcknowledgedLine
            ledger.discardLines(from: 0)
            proofOfCompletion = true
        }
    }

    private mutating func completionCheck() -> Event? {
        guard case .streaming = state, inputFinished, pending.isEmpty, sendCursor == nextLineNumber,
              !tracker.isAwaitingBarrier else { return nil }
        if proofOfCompletion && !ledger.containsLines {
            state = .finished
            deadline = nil
            return .finished
        }
        proofOfCompletion = false
        if !ledger.hasPoke && !control.contains(.poke(bypassWindow: false)) && !control.contains(.poke(bypassWindow: true)) {
            control.append(.poke(bypassWindow: false))
        }
        return nil
    }

    private mutating func handleResendRequest(_ line: Int) -> Event? {
        switch tracker.decide(request: line, nextNumber: nextLineNumber) {
        case .rewind(let target):
            ledger.discardLines(from: target)
            flow.forgetQueueDepth()
            sendCursor = target
            proofOfCompletion = false
            if !control.contains(.poke(bypassWindow: false)) && !control.contains(.poke(bypassWindow: true)) {
                control.prepend(.poke(bypassWindow: false))
            }
            progress.resendRequests += 1
            return .resendRequested(line: target)
        case .ignoreStale, .ignoreAlreadyCurrent, .ignoreImplausible:
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
            ledger.record(.emergency, byteCount: bytes.count)
        }
        return Transmission(bytes: bytes, kind: .emergency(command))
    }

    private mutating func controlTransmission(_ message: ControlMessage, at now: MonotonicInstant) -> Transmission? {
        let bytes: [UInt8]
        let kind: Transmission.Kind
        switch message {
        case .hello:
            bytes = LineFraming.framed(number: 0, command: Array("M110 N0".utf8))
            ledger.record(.line(0), byteCount: bytes.count)
            kind = .hello
        case .identify:
            bytes = Array("M115\n".utf8)
            ledger.record(.query, byteCount: bytes.count)
            kind = .identify
        case .poke(let bypassWindow):
            bytes = Array("M105\n".utf8)
            guard bypassWindow || flow.allows(byteCount: bytes.count, ledger: ledger) else { return nil }
            let entry = ledger.record(.poke, byteCount: bytes.count, isTemperatureQuery: true)
            if tracker.needsBarrierTransmission { tracker.barrierTransmitted(sequence: entry.sequence) }
            linesSinceSync = 0
            kind = .poke
        }
        progress.bytesSent += bytes.count
        if deadline == nil { deadline = now + configuration.communicationTimeout }
        return Transmission(bytes: bytes, kind: kind)
    }

    private mutating func lineTransmission(at now: MonotonicInstant) -> Transmission? {
        if needsSyncPoke {
            control.append(.poke(bypassWindow: false))
            return nextTransmission(at: now)
        }
        let sent: ResendTracker.SentLine
        let isRetransmission = sendCursor < nextLineNumber
        if isRetransmission {
            guard let line = tracker.sentLine(sendCursor) else {
                _ = fail(.resendOutOfHistory(requested: sendCursor, oldestKept: tracker.oldestKept ?? nextLineNumber))
                return nil
            }
            sent = line
        } else {
            guard let next = pending.first else {
                if inputFinished && !ledger.containsLines && !ledger.hasPoke && !proofOfCompletion {
                    // Everything is acknowledged already (or there was nothing to send):
                    // the final sync still has to prove it.
                    control.append(.poke(bypassWindow: false))
                    return nextTransmission(at: now)
                }
                return nil
            }
            sent = ResendTracker.SentLine(number: nextLineNumber, sourceLine: next.sourceLine, command: next.command,
                                          framed: LineFraming.framed(number: nextLineNumber, command: next.command))
        }
        guard flow.allows(byteCount: sent.framed.count, ledger: ledger) else { return nil }
        if isRetransmission {
            progress.retransmittedLines += 1
        } else {
            pending.popFirst()
            tracker.remember(sent)
            nextLineNumber += 1
            progress.linesSent += 1
            linesSinceSync += 1
        }
        sendCursor += 1
        let entry = ledger.record(.line(sent.number), byteCount: sent.framed.count,
                                  isTemperatureQuery: isTemperatureQuery(sent.command))
        lastLineTransmissionSequence = entry.sequence
        proofOfCompletion = false
        progress.bytesSent += sent.framed.count
        if deadline == nil { deadline = now + configuration.communicationTimeout }
        return Transmission(bytes: sent.framed,
                            kind: .line(number: sent.number, sourceLine: sent.sourceLine, isRetransmission: isRetransmission))
    }

    private var needsSyncPoke: Bool {
        flow.strategy != .advancedOK && configuration.syncEveryLines > 0
            && linesSinceSync >= configuration.syncEveryLines && !ledger.hasPoke
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

extension RingBuffer where Element: Equatable {
    func contains(_ element: Element) -> Bool {
        for offset in 0..<count where self[offset] == element { return true }
        return false
    }

    mutating func removeAll(_ element: Element) {
        filter(keeping: { $0 != element })
    }

    mutating func prepend(_ element: Element) {
        var reordered = RingBuffer(capacity: count + 1)
        reordered.append(element)
        while let next = popFirst() { reordered.append(next) }
        self = reordered
    }
}
