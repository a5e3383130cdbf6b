/// What the host has written and the firmware has not acknowledged yet, oldest first.
///
/// Marlin answers every command it takes off its queue with exactly one `ok`, in order, so the
/// ledger pops from the front. Replies can be lost or forged on a noisy cable (a flipped bit
/// turns `ok` into `oj`, a stray tail fragment earns an extra `ok`); the ledger is therefore
/// re-synchronised from facts that cannot drift: ADVANCED_OK's line number, the
/// temperature-bearing `ok T:` that only `M105` produces, and the firmware's own
/// line-number check (see `HostProtocol`).
public struct InFlightLedger: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A numbered line of the stream (line 0 is the `M110` hello; some are the host's
        /// own `M105` syncs).
        case line(Int)
        /// `N1 M115` during the handshake (numbered, but not part of the stream).
        case query
        /// `M108`, `M410`, `M876` (they still take a queue slot and get an `ok`).
        case emergency
    }

    public struct Entry: Sendable, Equatable {
        public var sequence: Int
        public var kind: Kind
        public var byteCount: Int
        /// The entry's `ok` carries temperatures (`M105`), whether a host sync or a file line.
        public var isTemperatureQuery: Bool
        /// When the bytes were handed to the port: its `ok` measures the reply latency.
        public var writtenAt: MonotonicInstant
    }

    private var entries = RingBuffer<Entry>(capacity: 64)
    private var nextSequence = 0
    public private(set) var byteCount = 0

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var oldest: Entry? { entries.first }

    public var containsLines: Bool {
        for offset in 0..<entries.count {
            if case .line = entries[offset].kind { return true }
        }
        return false
    }

    @discardableResult
    public mutating func record(_ kind: Kind, byteCount: Int, isTemperatureQuery: Bool = false, at now: MonotonicInstant) -> Entry {
        let entry = Entry(sequence: nextSequence, kind: kind, byteCount: byteCount, isTemperatureQuery: isTemperatureQuery, writtenAt: now)
        nextSequence += 1
        entries.append(entry)
        self.byteCount += byteCount
        return entry
    }

    /// Acknowledges the oldest entry.
    @discardableResult
    public mutating func acknowledgeOldest() -> Entry? {
        guard let entry = entries.popFirst() else { return nil }
        byteCount -= entry.byteCount
        return entry
    }

    /// Acknowledges every entry up to and including the one with `sequence`.
    /// Returns the entries removed, oldest first.
    public mutating func acknowledge(through sequence: Int) -> [Entry] {
        var removed: [Entry] = []
        while let entry = entries.first, entry.sequence <= sequence {
            entries.popFirst()
            byteCount -= entry.byteCount
            removed.append(entry)
        }
        return removed
    }

    /// The sequence of the entry for numbered line `number`, if it is in flight.
    public func sequence(ofLine number: Int) -> Int? {
        for offset in 0..<entries.count {
            if entries[offset].kind == .line(number) { return entries[offset].sequence }
        }
        return nil
    }

    /// The oldest entry whose `ok` carries temperatures.
    public var oldestTemperatureQuery: Entry? {
        for offset in 0..<entries.count where entries[offset].isTemperatureQuery {
            return entries[offset]
        }
        return nil
    }

    /// The oldest numbered line still unacknowledged.
    public var oldestLine: Int? {
        for offset in 0..<entries.count {
            if case .line(let number) = entries[offset].kind { return number }
        }
        return nil
    }

    /// Drops numbered lines from `number` on: the firmware discarded them and will ask again.
    /// Returns the bytes dropped.
    @discardableResult
    public mutating func discardLines(from number: Int) -> Int {
        removeAll { entry in
            if case .line(let line) = entry.kind { return line >= number }
            return false
        }
    }

    /// Drops numbered lines up to `number`: the firmware has stated that it took them.
    public mutating func discardLines(through number: Int) {
        removeAll { entry in
            if case .line(let line) = entry.kind { return line <= number }
            return false
        }
    }

    /// Forgets unnumbered entries: after a silence none of them will be answered any more.
    public mutating func discardUnnumbered() {
        removeAll { entry in
            if case .line = entry.kind { return false }
            return true
        }
    }

    public mutating func removeAll() {
        entries.removeAll()
        byteCount = 0
    }

    /// Bytes of the entries after the first `skipping` ones: those not yet inside the
    /// firmware's command queue, hence (at most) sitting in its RX buffer or on the wire.
    public func bytes(afterSkipping skipping: Int) -> Int {
        var total = byteCount
        for offset in 0..<Swift.min(skipping, entries.count) { total -= entries[offset].byteCount }
        return total
    }

    @discardableResult
    private mutating func removeAll(where shouldRemove: (Entry) -> Bool) -> Int {
        var removedBytes = 0
        entries.filter { entry in
            if shouldRemove(entry) {
                removedBytes += entry.byteCount
                return false
            }
            return true
        }
        byteCount -= removedBytes
        return removedBytes
    }
}
