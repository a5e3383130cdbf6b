import PrintEdgeControl
@testable import PrintEdgeDaemon
import PrintEdgeStore
import Testing

/// What `printedge status` says about the database.
@Suite struct StorageStatusTests {
    private let path = "/var/lib/printedge/printedge.sqlite"

    @Test func aFullDiskSaysWhatIsHeldAndWhereToMakeRoom() {
        let status = StorageStatus(recorder: .diskFull(sinceMS: 1_700_000_000_000, buffered: 240, dropped: 0),
                                   heldJobEvents: 1, jobEventRefusal: .diskFull(path: path), databasePath: path)
        #expect(status.condition == "disk_full")
        #expect(status.heldSamples == 240)
        #expect(status.heldJobEvents == 1)
        #expect(status.sinceMS == 1_700_000_000_000)
        let message = status.message ?? ""
        #expect(message.contains("the disk is full"))
        #expect(message.contains("240 telemetry samples and 1 job event held in memory"))
        #expect(message.contains("free space in /var/lib/printedge"))
    }

    @Test func heldJobEventsAloneAreReportedToo() {
        let status = StorageStatus(recorder: .recording, heldJobEvents: 2, jobEventRefusal: .readOnly(path: path), databasePath: path)
        #expect(status.condition == "failing")
        #expect(status.message?.hasPrefix("2 job events held in memory: ") == true)
        #expect(!status.isRecording)
    }

    @Test func nothingHeldIsRecording() {
        let status = StorageStatus(recorder: .recording, heldJobEvents: 0, jobEventRefusal: nil, databasePath: path)
        #expect(status == StorageStatus(condition: "recording"))
        #expect(status.isRecording)
    }
}
