import Testing
@testable import PrintEdgeCore

/// A connection that outlives one job: lines keep coming, and a checkpoint proves that
/// everything queued before it was handled without ending the stream.
@Suite struct CheckpointTests {
    @Test func aCheckpointIsProvenByItsSyncAndTheConnectionStaysOpen() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(3), finish: false)
        _ = harness.host.requestCheckpoint()
        harness.answerInOrder(from: harness.written.count)
        #expect(harness.events.contains(.checkpointReached(through: 1)))
        #expect(harness.host.status == .streaming)
        #expect(harness.host.progress.highestAcknowledgedLineNumber == 5)
        // More lines after the checkpoint go out as usual, numbered on.
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M106 S255"))
        #expect(harness.flush() == [String(decoding: LineFraming.framed(number: 6, command: Array("M106 S255".utf8)), as: UTF8.self)])
    }

    @Test func aPlainOkForTheCheckpointSyncIsNotProof() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(1), finish: false)
        _ = harness.host.requestCheckpoint()
        #expect(harness.flush() == [framedMove(1), framedSync(3)])
        harness.reply("ok", "ok")
        #expect(!harness.events.contains(.checkpointReached(through: 1)))
        // The sync is written again; its `ok T:` settles it.
        #expect(harness.flush() == [framedSync(3)])
        harness.reply(ProtocolHarness.temperatureOk)
        #expect(harness.events.contains(.checkpointReached(through: 1)))
    }

    @Test func aConfirmedResendOfTheNextLineReachesTheCheckpoint() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(1), finish: false)
        _ = harness.host.requestCheckpoint()
        harness.flush()
        harness.reply("ok", "ok")
        harness.flush()
        // The rewritten sync is rejected as already taken: the firmware says it has line 3.
        harness.reply("Error:Line Number is not Last Line Number+1, Last Line: 3", "Resend: 4", "ok")
        #expect(harness.events.contains(.checkpointReached(through: 1)))
        #expect(harness.host.status == .streaming)
    }

    @Test func theCheckpointSyncWaitsForLinesQueuedBeforeIt() {
        var harness = ProtocolHarness { $0.flow = .fixed(.pingPong) }
        harness.handshake()
        harness.enqueue(moves(2), finish: false)
        _ = harness.host.requestCheckpoint()
        #expect(harness.flush() == [framedMove(1)])
        harness.reply("ok")
        #expect(harness.flush() == [framedMove(2)])
        harness.reply("ok")
        #expect(harness.flush() == [framedSync(4)])
        harness.reply(ProtocolHarness.temperatureOk)
        #expect(harness.events.last == .checkpointReached(through: 1))
    }

    @Test func requestsMadeBeforeTheSyncIsWrittenShareIt() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(1), finish: false)
        #expect(harness.host.requestCheckpoint() == 1)
        #expect(harness.host.requestCheckpoint() == 2)
        #expect(harness.flush() == [framedMove(1), framedSync(3)])
        #expect(harness.host.requestCheckpoint() == 3)
        harness.reply("ok", ProtocolHarness.temperatureOk)
        #expect(harness.events.last == .checkpointReached(through: 2))
        #expect(harness.flush() == [framedSync(4)])
        harness.reply(ProtocolHarness.temperatureOk)
        #expect(harness.events.last == .checkpointReached(through: 3))
    }

    @Test func queuedLinesCanBeTakenBackBeforeTheyAreWritten() {
        var harness = ProtocolHarness { $0.flow = .fixed(.pingPong) }
        harness.handshake()
        harness.enqueue(moves(4), finish: false)
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M117 hello"))
        #expect(harness.flush() == [framedMove(1)])
        let discarded = harness.host.discardQueuedLines { $0.sourceLine > 0 }
        #expect(discarded.map(\.sourceLine) == [2, 3, 4])
        harness.reply("ok")
        #expect(harness.flush() == [String(decoding: LineFraming.framed(number: 3, command: Array("M117 hello".utf8)), as: UTF8.self)])
    }

    @Test func aTemperatureOkThatAcknowledgesNothingElseIsReported() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M105"))
        harness.flush()
        let events = harness.reply("ok T:200.00 /210.00 B:60.00 /60.00 @:0 B@:0")
        guard case .temperature(let report)? = events.first else {
            Issue.record("expected a temperature event, got \(events)")
            return
        }
        #expect(report.readings.first { $0.heater == .activeTool }?.actualCelsius == 200)
    }
}

extension CheckpointTests {
    @Test func aLaterProvenSyncProvesACheckpointWhoseOkWasPlain() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(1), finish: false)
        _ = harness.host.requestCheckpoint()
        #expect(harness.flush() == [framedMove(1), framedSync(3)])
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M106 S255"))
        #expect(harness.flush() == [String(decoding: LineFraming.framed(number: 4, command: Array("M106 S255".utf8)), as: UTF8.self)])
        harness.reply("ok", "ok")
        #expect(!harness.events.contains(.checkpointReached(through: 1)))
        // Lines follow the checkpoint: it is not rewritten, a new sync goes out instead.
        #expect(harness.flush() == [framedSync(5)])
        harness.reply("ok", ProtocolHarness.temperatureOk)
        #expect(harness.events.last == .checkpointReached(through: 1))
    }
}
