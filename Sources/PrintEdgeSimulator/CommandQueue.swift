/// Marlin's command ring (`GCodeQueue::RingBuffer`): BUFSIZE slots of MAX_CMD_SIZE bytes.
///
/// A command keeps its slot while it executes — `advance()` frees the slot only after the
/// handler returns — which is why ADVANCED_OK's `B` field counts the command being
/// acknowledged as still queued.
struct CommandQueue: Sendable {
    struct Entry: Sendable {
        /// Bytes of the line as read (leading spaces, `N…` and `*…` included).
        var length: Int
        /// The line passed the line-number check (it began with `N` after spaces).
        var isNumbered: Bool
        /// A tail cut off by an RX drain or a reset; see `VirtualMarlin` on fragments.
        var isFragment: Bool
    }

    private var storage: [UInt8]
    private var entries: [Entry]
    private var readIndex = 0
    private(set) var count = 0
    let slotCount: Int

    init(slots: Int) {
        slotCount = max(1, slots)
        storage = [UInt8](repeating: 0, count: slotCount * SerialLineReader.maximumCommandSize)
        entries = [Entry](repeating: Entry(length: 0, isNumbered: false, isFragment: false), count: slotCount)
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count >= slotCount }

    mutating func enqueue(_ line: ArraySlice<UInt8>, isNumbered: Bool, isFragment: Bool) {
        precondition(!isFull, "CommandQueue.enqueue with all \(slotCount) slots taken")
        var slot = readIndex + count
        if slot >= slotCount { slot -= slotCount }
        let length = min(line.count, SerialLineReader.maximumCommandSize)
        let base = slot * SerialLineReader.maximumCommandSize
        var offset = 0
        for byte in line.prefix(length) {
            storage[base + offset] = byte
            offset += 1
        }
        entries[slot] = Entry(length: length, isNumbered: isNumbered, isFragment: isFragment)
        count += 1
    }

    /// The command at the head; only call when not empty.
    var head: Entry { entries[readIndex] }

    /// The head command's bytes; only call when not empty.
    var headLine: ArraySlice<UInt8> {
        let base = readIndex * SerialLineReader.maximumCommandSize
        return storage[base..<(base + entries[readIndex].length)]
    }

    /// The head command's `N`, if it is a numbered line.
    var headLineNumber: Int64? {
        guard !isEmpty, head.isNumbered else { return nil }
        let line = headLine
        guard let letter = line.firstIndex(of: UInt8(ascii: "N")) else { return nil }
        return CLibrary.strtol(line, from: letter + 1)
    }

    mutating func removeHead() {
        guard count > 0 else { return }
        readIndex += 1
        if readIndex == slotCount { readIndex = 0 }
        count -= 1
    }

    mutating func removeAll() {
        readIndex = 0
        count = 0
    }
}
