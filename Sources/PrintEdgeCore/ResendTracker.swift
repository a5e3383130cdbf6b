/// The lines sent recently, and the rules for answering `Resend: n`.
///
/// After a bad line Marlin prints `Error:...`, drains its RX buffer, asks `Resend: n` and
/// `ok`, then rejects every later line until `n` comes again — each of those rejected lines
/// earns another `Error`/`Resend: n`/`ok`. A host that rewinds on each of them resends the
/// same lines over and over (the "resend storm", OctoPrint #3914, Marlin PR #24959).
///
/// The rule here: on the first request, rewind to `n` once and send an unnumbered `M105`
/// ahead of the resent lines — a barrier. Marlin accepts unnumbered lines even while it
/// waits for `n`, and handles lines strictly in order, so every request that arrives before
/// the barrier's `ok T:` was caused by a line sent before the rewind and is ignored; any
/// request after it is about the resent lines and is honoured. No timing guesses: the
/// firmware's own ordering decides.
public struct ResendTracker: Sendable {
    public struct SentLine: Sendable {
        public var number: Int
        public var sourceLine: Int
        public var command: [UInt8]
        public var framed: [UInt8]
    }

    public enum Decision: Sendable, Equatable {
        case rewind(to: Int)
        /// Caused by a line sent before the last rewind.
        case ignoreStale
        /// The firmware is already waiting for the next new line: nothing to resend.
        case ignoreAlreadyCurrent
        /// A number no line could have (a corrupted reply); the firmware will ask again.
        case ignoreImplausible
        case outOfHistory(requested: Int, oldestKept: Int)
        case stuck(line: Int, times: Int)
    }

    private enum Barrier: Sendable {
        case none
        /// Rewound; the barrier poke is not written yet.
        case awaitingTransmission
        /// The barrier poke went out as ledger entry `sequence`.
        case armed(sequence: Int)
    }

    public let capacity: Int
    public let maxRequestsForSameLine: Int
    private var history: RingBuffer<SentLine>
    private var barrier = Barrier.none
    private var lastRewind: (line: Int, times: Int)?
    private var unconfirmedOutOfHistory: Int?

    public init(capacity: Int, maxRequestsForSameLine: Int) {
        self.capacity = max(1, capacity)
        self.maxRequestsForSameLine = maxRequestsForSameLine
        history = RingBuffer(capacity: min(self.capacity, 4096))
    }

    public var oldestKept: Int? { history.first?.number }

    public mutating func remember(_ line: SentLine) {
        if let last = history.last, last.number + 1 != line.number {
            history.removeAll()  // numbering restarted (a new session): older lines are meaningless
        }
        history.append(line)
        if history.count > capacity { history.popFirst() }
    }

    public func sentLine(_ number: Int) -> SentLine? {
        guard let first = history.first?.number, number >= first, number - first < history.count else { return nil }
        return history[number - first]
    }

    public var isAwaitingBarrier: Bool {
        if case .none = barrier { return false }
        return true
    }

    public var needsBarrierTransmission: Bool {
        if case .awaitingTransmission = barrier { return true }
        return false
    }

    public mutating func barrierTransmitted(sequence: Int) {
        barrier = .armed(sequence: sequence)
    }

    /// Called for every ledger entry acknowledged by the `ok T:` path.
    public mutating func acknowledged(sequence: Int) {
        if case .armed(let armed) = barrier, sequence >= armed { barrier = .none }
    }

    /// The firmware went silent: every line sent before has been handled, so no stale
    /// request can still be on its way.
    public mutating func clearBarrier() {
        barrier = .none
    }

    /// A line at or after `line` was acknowledged: the last rewind worked.
    public mutating func progressed(through line: Int) {
        if let rewind = lastRewind, line >= rewind.line { lastRewind = nil }
    }

    public mutating func decide(request line: Int, nextNumber: Int) -> Decision {
        if isAwaitingBarrier { return .ignoreStale }
        if line >= nextNumber { return line == nextNumber ? .ignoreAlreadyCurrent : .ignoreImplausible }
        guard let oldest = oldestKept, line >= oldest else {
            // A flipped digit can forge one such request; the firmware repeats a real one.
            if unconfirmedOutOfHistory == line {
                return .outOfHistory(requested: line, oldestKept: oldestKept ?? nextNumber)
            }
            unconfirmedOutOfHistory = line
            return .ignoreImplausible
        }
        unconfirmedOutOfHistory = nil
        if let rewind = lastRewind, rewind.line == line {
            let times = rewind.times + 1
            if times > maxRequestsForSameLine { return .stuck(line: line, times: times) }
            lastRewind = (line, times)
        } else {
            lastRewind = (line, 1)
        }
        barrier = .awaitingTransmission
        return .rewind(to: line)
    }
}
