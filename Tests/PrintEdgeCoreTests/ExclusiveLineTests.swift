import Testing
@testable import PrintEdgeCore

/// A command that must have the wire to itself (M303: STM32 native-USB boards flush their
/// receive buffer when the tune ends): written once everything before it was acknowledged,
/// and nothing after it — no line, no sync, no checkpoint — until its own `ok`.
@Suite struct ExclusiveLineTests {
    private static func framed(_ number: Int, _ command: String) -> String {
        String(decoding: LineFraming.framed(number: number, command: Array(command.utf8)), as: UTF8.self)
    }

    @Test func waitsForEarlierLinesThenGoesAloneUntilItsOk() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M106 S128"))
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M303 E0 C5 S210", isExclusive: true))
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M104 S0"))
        _ = harness.host.requestCheckpoint()
        #expect(harness.host.holdsForExclusiveLine)
        #expect(harness.flush() == [Self.framed(2, "M106 S128")], "the tune waits for the fan's ok")
        harness.reply("ok")
        #expect(harness.flush() == [Self.framed(3, "M303 E0 C5 S210")])
        #expect(harness.flush().isEmpty, "nothing follows it while it runs")
        harness.reply("ok")
        #expect(harness.flush() == [Self.framed(4, "M104 S0"), framedSync(5)])
        #expect(!harness.host.holdsForExclusiveLine)
        harness.reply("ok", ProtocolHarness.temperatureOk)
        #expect(harness.events.last == .checkpointReached(through: 1))
    }

    @Test func noStallSyncAndNoTimeoutWhileItsTemperatureLinesCome() {
        var harness = ProtocolHarness { $0.communicationTimeout = .seconds(4); $0.stallSyncDelay = .milliseconds(100) }
        harness.handshake()
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M303 E0 C5 S210", isExclusive: true))
        _ = harness.host.requestCheckpoint()
        #expect(harness.flush() == [Self.framed(2, "M303 E0 C5 S210")])
        // A tune of 20 minutes: a report every 2 s, no keepalive, no ok.
        for _ in 0..<600 {
            #expect(harness.advance(by: .seconds(2)).isEmpty)
            #expect(harness.flush().isEmpty)
            harness.reply(" T:210.12 /0.00 B:25.00 /0.00 @:127 B@:0")
        }
        #expect(harness.host.progress.timeouts == 0)
        harness.reply("PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h", "ok")
        #expect(harness.flush() == [framedSync(3)])
    }

    @Test func silenceMeansItWasLostAndItIsWrittenAgainAlone() {
        var harness = ProtocolHarness { $0.communicationTimeout = .seconds(4) }
        harness.handshake()
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M303 E0 C5 S210", isExclusive: true))
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M104 S0"))
        harness.flush()
        #expect(harness.advance(by: .milliseconds(3999)).isEmpty)
        #expect(harness.advance(by: .milliseconds(1)) == [.timeout(consecutive: 1)])
        #expect(harness.flush() == [Self.framed(2, "M303 E0 C5 S210")])
        harness.reply("ok")
        #expect(harness.flush() == [Self.framed(3, "M104 S0")])
    }

    @Test func aRejectedExclusiveLineIsResentAloneAndEmergencyLinesStillGoOut() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M303 E0 C5 S210", isExclusive: true))
        harness.host.enqueue(GCodeLine(sourceLine: 0, "M104 S0"))
        harness.flush()
        harness.host.emergency(.cancelWait)
        #expect(harness.flush() == ["M108\n"], "a cancel reaches the firmware's emergency parser during the tune")
        harness.reply("Error:checksum mismatch, Last Line: 1", "Resend: 2", "ok")
        harness.advance(by: .milliseconds(300))
        #expect(harness.flush().isEmpty, "M108's ok is still awaited: the tune is written again only on a quiet wire")
        harness.reply("ok")
        #expect(harness.flush() == [Self.framed(2, "M303 E0 C5 S210")])
        #expect(harness.flush().isEmpty)
        harness.reply("ok")
        #expect(harness.flush() == [Self.framed(3, "M104 S0")])
    }
}
