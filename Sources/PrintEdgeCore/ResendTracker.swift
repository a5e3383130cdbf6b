/// The lines sent recently, and the rules for answering `Resend: n`.
///
/// After a bad line Marlin prints `Error:...`, drains its RX buffer, asks `Resend: n` and
/// `ok`, then rejects every later line until `n` comes again — each of those rejected lines
/// earns another `Error`/`Resend: n`/`ok`, and each rejection drains RX again. A host that
/// rewinds on each of them, or resends at once, feeds lines into that drain: the "resend
/// storm" (OctoPrint #3914, Marlin PR #24959). `HostProtocol` therefore rewinds once and
/// stays quiet until the stale lines are through (see docs/protocol.md); this type keeps the
/// history and judges the requests.
public struct ResendTracker: Sendable {
    public struct SentLine: Sendable {
        public var number: Int
        /// The file line it came from; 0 for the host's own sync `M105`.
        public var sourceLine: Int
        /// File commands sent up to and including this line, for progress.
        public var fileCommands: Int
        public var command: [UInt8]
        public var framed: [UInt8]
        /// The file's own text for the line (see `GCodeLine.original`).
        public var original: String

        public var isHostSync: Bool { sourceLine == 0 }
    }

    public enum Decision: Sendable, Equatable {
        case rewind(to: Int)
        /// The firmware is already waiting for the next new line: nothing to resend.
        case ignoreAlreadyCurrent
        /// A number no line could have (a corrupted reply); the firmware will ask again.
        case ignoreImplausible
        case outOfHistory(requested: Int, oldestKept: Int)
        case stuck(line: Int, times: Int)
    }

    public let capacity: Int
    public let maxRequestsForSameLine: Int
    private var history: RingBuffer<SentLine>
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

    /// A line at or after `line` was acknowledged: the last rewind worked.
    public mutating func progressed(through line: Int) {
        if let rewind = lastRewind, line >= rewind.line { lastRewind = nil }
    }

    public mutating func decide(request line: Int, nextNumber: Int) -> Decision {
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
        return .rewind(to: line)
    }
}
