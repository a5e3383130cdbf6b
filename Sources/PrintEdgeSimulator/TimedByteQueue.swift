/// Bytes on their way along a wire, each stamped with the instant it reaches the far end,
/// in order. Amortised O(1), no allocation per byte once warm.
struct TimedByteQueue: Sendable {
    private var bytes: [UInt8] = []
    private var instants: [Int64] = []
    private var head = 0

    var isEmpty: Bool { head == bytes.count }
    var count: Int { bytes.count - head }

    /// When the first byte arrives, if any.
    var firstInstant: Int64? {
        head < instants.count ? instants[head] : nil
    }

    mutating func append(_ byte: UInt8, arrivingAt instant: Int64) {
        bytes.append(byte)
        instants.append(instant)
    }

    /// Removes and returns the first byte; only call when not empty.
    mutating func removeFirst() -> UInt8 {
        let byte = bytes[head]
        head += 1
        compact()
        return byte
    }

    /// Moves every byte that has arrived by `instant` to the end of `output`.
    mutating func removeArrived(by instant: Int64, into output: inout [UInt8]) {
        while head < instants.count && instants[head] <= instant {
            output.append(bytes[head])
            head += 1
        }
        compact()
    }

    /// Drops the consumed front: at once when all is consumed, otherwise only once it is at
    /// least half the storage, so the copy is paid rarely.
    private mutating func compact() {
        if head == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            instants.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 >= bytes.count {
            bytes.removeFirst(head)
            instants.removeFirst(head)
            head = 0
        }
    }
}
