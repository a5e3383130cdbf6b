/// What a `start_job` announces about a file it will send in chunks.
struct FileTransferAnnouncement: Sendable, Equatable, Codable {
    /// The sender's name for the delivery; a topic level and a file name here, hence its alphabet.
    var transfer: String
    /// Lower-case hex.
    var sha256: String
    var sizeBytes: Int64
    /// Every chunk but the last is exactly this long; the last holds the rest.
    var chunkSizeBytes: Int

    static let maxIDCharacters = 64

    var chunkCount: Int { Int((sizeBytes + Int64(chunkSizeBytes) - 1) / Int64(chunkSizeBytes)) }

    /// The length chunk `index` must have.
    func length(ofChunk index: Int) -> Int {
        index == chunkCount - 1 ? Int(sizeBytes - Int64(index) * Int64(chunkSizeBytes)) : chunkSizeBytes
    }

    /// Letters, digits, `-` and `_`: safe as an MQTT topic level (no `/`, `+`, `#`) and as a
    /// file name (no `/`, no `..`).
    static func checkID(_ transfer: String, fields: FleetCommandFields) throws(FleetCommandError) {
        guard transfer.utf8.allSatisfy({ isIDByte($0) }) else {
            throw fields.invalid("transfer", "may hold letters, digits, `-` and `_` only (it becomes a topic level and a file name), found \"\(transfer)\"")
        }
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

/// Which chunks of a transfer have arrived: the sans-I/O half of `FileTransferSpool`, which
/// writes them. A chunk is taken once; a repeat (MQTT QoS 1 delivers at least once, and a
/// resuming sender may resend what it is unsure of) changes nothing.
struct FileTransfer: Sendable, Equatable {
    let announcement: FileTransferAnnouncement
    private var received: [Bool]
    private(set) var receivedCount = 0

    init(_ announcement: FileTransferAnnouncement) {
        self.announcement = announcement
        received = Array(repeating: false, count: announcement.chunkCount)
    }

    var isComplete: Bool { receivedCount == received.count }

    /// What to do with a chunk that arrived.
    enum ChunkAction: Sendable, Equatable {
        /// Write it at this offset of the part file, then call `recorded(index:)`.
        case write(byteOffset: Int64)
        /// Already here: nothing to do.
        case duplicate
    }

    /// Checks that chunk `index` of `length` bytes belongs to this file.
    func arrived(index: Int, length: Int) throws(FleetCommandError) -> ChunkAction {
        let count = received.count
        guard index >= 0, index < count else {
            throw FleetCommandError(.badChunk, "chunk \(index) of transfer \(announcement.transfer) is out of range: the file of \(announcement.sizeBytes) bytes in chunks of \(announcement.chunkSizeBytes) has chunks 0…\(count - 1)")
        }
        let expected = announcement.length(ofChunk: index)
        guard length == expected else {
            throw FleetCommandError(.badChunk, "chunk \(index) of transfer \(announcement.transfer) is \(length) bytes; it must be \(expected) (chunk_size_bytes \(announcement.chunkSizeBytes)\(index == count - 1 ? ", the rest of the file for the last chunk" : ""))")
        }
        return received[index] ? .duplicate : .write(byteOffset: Int64(index) * Int64(announcement.chunkSizeBytes))
    }

    /// The chunk is on disk.
    mutating func recorded(index: Int) {
        guard received.indices.contains(index), !received[index] else { return }
        received[index] = true
        receivedCount += 1
    }

    /// The chunks still missing, as inclusive ranges of indices, in order.
    var missingRanges: [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        var start: Int?
        for (index, here) in received.enumerated() {
            if !here, start == nil { start = index }
            if here, let first = start {
                ranges.append(first...index - 1)
                start = nil
            }
        }
        if let first = start { ranges.append(first...received.count - 1) }
        return ranges
    }
}
