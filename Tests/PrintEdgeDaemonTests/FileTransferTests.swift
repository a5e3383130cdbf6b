@testable import PrintEdgeDaemon
import Testing

struct FileTransferTests {
    private let announcement = FileTransferAnnouncement(transfer: "t1", sha256: String(repeating: "0", count: 64), sizeBytes: 10, chunkSizeBytes: 4)

    @Test func splitsTheFileIntoFullChunksAndARest() {
        #expect(announcement.chunkCount == 3)
        #expect((0..<3).map(announcement.length(ofChunk:)) == [4, 4, 2])
        let exact = FileTransferAnnouncement(transfer: "t", sha256: "", sizeBytes: 8, chunkSizeBytes: 4)
        #expect(exact.chunkCount == 2)
        #expect(exact.length(ofChunk: 1) == 4)
    }

    @Test func placesEachChunkAtItsOffsetAndListsWhatIsMissing() throws {
        var transfer = FileTransfer(announcement)
        #expect(transfer.missingRanges == [0...2])
        #expect(try transfer.arrived(index: 2, length: 2) == .write(byteOffset: 8))
        transfer.recorded(index: 2)
        #expect(transfer.missingRanges == [0...1])
        #expect(try transfer.arrived(index: 0, length: 4) == .write(byteOffset: 0))
        transfer.recorded(index: 0)
        #expect(transfer.missingRanges == [1...1])
        #expect(!transfer.isComplete)
        transfer.recorded(index: 1)
        #expect(transfer.isComplete)
        #expect(transfer.missingRanges.isEmpty)
    }

    @Test func aRepeatedChunkChangesNothing() throws {
        var transfer = FileTransfer(announcement)
        transfer.recorded(index: 1)
        #expect(try transfer.arrived(index: 1, length: 4) == .duplicate)
        transfer.recorded(index: 1)
        #expect(transfer.receivedCount == 1)
    }

    @Test func refusesAChunkThatDoesNotFit() {
        let transfer = FileTransfer(announcement)
        #expect(throws: FleetCommandError(.badChunk, "chunk 3 of transfer t1 is out of range: the file of 10 bytes in chunks of 4 has chunks 0…2")) {
            try transfer.arrived(index: 3, length: 2)
        }
        #expect(throws: FleetCommandError(.badChunk, "chunk 2 of transfer t1 is 4 bytes; it must be 2 (chunk_size_bytes 4, the rest of the file for the last chunk)")) {
            try transfer.arrived(index: 2, length: 4)
        }
        #expect(throws: FleetCommandError.self) { try transfer.arrived(index: 0, length: 3) }
        #expect(throws: FleetCommandError.self) { try transfer.arrived(index: -1, length: 4) }
    }

    @Test func missingRangesMergeNeighbours() {
        var transfer = FileTransfer(FileTransferAnnouncement(transfer: "t", sha256: "", sizeBytes: 10, chunkSizeBytes: 1))
        for index in [0, 3, 4, 9] { transfer.recorded(index: index) }
        #expect(transfer.missingRanges == [1...2, 5...8])
    }
}
