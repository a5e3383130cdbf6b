import Testing
@testable import PrintEdgeCore

@Suite struct HandshakeTests {
    @Test func picksWindowWhenTheFirmwareHasNoAdvancedOk() {
        var harness = ProtocolHarness()
        harness.handshake(capabilities: ["ADVANCED_OK:0", "AUTOREPORT_TEMP:1"])
        #expect(harness.host.status == .streaming)
        #expect(harness.host.flowStrategy == .window)
        guard case .identified(let info, let capabilities, .window) = harness.events.last else {
            Issue.record("no identification event: \(harness.events)")
            return
        }
        #expect(info?.machineType == "test")
        #expect(capabilities["AUTOREPORT_TEMP"] == true)
    }

    @Test func picksAdvancedOkFromTheCapability() {
        var harness = ProtocolHarness()
        harness.handshake(capabilities: ["ADVANCED_OK:1"])
        #expect(harness.host.flowStrategy == .advancedOK)
    }

    @Test func picksAdvancedOkFromTheOkFormat() {
        var harness = ProtocolHarness()
        harness.handshake(helloOk: "ok N0 P15 B3")
        #expect(harness.host.flowStrategy == .advancedOK)
    }

    @Test func aFixedStrategyIsKept() {
        var harness = ProtocolHarness { $0.flow = .fixed(.pingPong) }
        harness.handshake(capabilities: ["ADVANCED_OK:1"])
        #expect(harness.host.flowStrategy == .pingPong)
    }

    @Test func retriesTheHandshakeAfterSilenceThenGivesUp() {
        var harness = ProtocolHarness { $0.handshakeAttempts = 3; $0.handshakeTimeout = .seconds(2) }
        harness.host.start(at: harness.now)
        #expect(harness.flush() == ProtocolHarness.handshakeLines)
        #expect(harness.advance(by: .milliseconds(1999)).isEmpty)
        #expect(harness.advance(by: .milliseconds(1)) == [.timeout(consecutive: 1)])
        #expect(harness.flush() == ProtocolHarness.handshakeLines)
        harness.advance(by: .seconds(2))
        #expect(harness.flush() == ProtocolHarness.handshakeLines)
        #expect(harness.advance(by: .seconds(2)) == [.failed(.noResponse(attempts: 3))])
        #expect(harness.flush().isEmpty)
    }

    @Test func aDamagedHelloIsRetriedOnceTheFirmwareFallsSilent() {
        var harness = ProtocolHarness { $0.handshakeTimeout = .seconds(2); $0.communicationTimeout = .seconds(4) }
        harness.host.start(at: harness.now)
        harness.flush()
        harness.advance(by: .seconds(1))
        // N0 arrived damaged, so N1 was out of sequence: neither was taken, nothing identifies.
        harness.reply("Error:checksum mismatch, Last Line: 0", "Resend: 1", "ok",
                      "Error:Line Number is not Last Line Number+1, Last Line: 0", "Resend: 1", "ok")
        #expect(harness.flush().isEmpty)
        #expect(harness.advance(by: .milliseconds(3999)).isEmpty, "anything heard keeps it waiting a streaming timeout")
        #expect(harness.advance(by: .milliseconds(1)) == [.timeout(consecutive: 1)])
        #expect(harness.flush() == ProtocolHarness.handshakeLines)
        harness.reply("ok", "FIRMWARE_NAME:Marlin 2.1", "ok")
        #expect(harness.answerConfirmationAndRenumber() == (ProtocolHarness.confirmLines, ProtocolHarness.renumberLines))
        #expect(harness.host.status == .streaming)
    }

    @Test func restartsAtOnceWhenTheBoardResetsOnOpenAndRemembersIt() {
        var harness = ProtocolHarness()
        harness.host.start(at: harness.now)
        harness.flush()
        harness.reply("start", "echo:Marlin 2.1.2.5")
        #expect(harness.flush() == ProtocolHarness.handshakeLines)
        harness.reply("ok", "FIRMWARE_NAME:Marlin 2.1", "ok", "ok", ProtocolHarness.temperatureOk)
        #expect(harness.flush() == ProtocolHarness.confirmLines + ProtocolHarness.renumberLines)
        harness.reply("ok")
        #expect(harness.host.status == .streaming)
        #expect(harness.host.firmwareRebootedDuringHandshake)
    }

    @Test func aPreviousSessionsRepliesAreIgnoredUntilTheIdentification() {
        var harness = ProtocolHarness()
        harness.host.start(at: harness.now)
        harness.flush()
        // A previous session's queue drains first: oks, a resend request, an error, a tail.
        let stale = ["ok", "ok", "Error:checksum mismatch, Last Line: 4810", "Resend: 4811", "ok", "k", "ok N4812 P3 B1"]
        for line in stale { harness.reply(line) }
        #expect(harness.events == stale.map { .ignored($0) })
        #expect(harness.host.status == .handshaking)
        #expect(harness.flush().isEmpty, "nothing is resent for a request that was not ours")
        harness.reply("ok")  // the hello's own
        harness.reply("FIRMWARE_NAME:Marlin 2.1", "Cap:ADVANCED_OK:0", "ok")
        #expect(harness.answerConfirmationAndRenumber() == (ProtocolHarness.confirmLines, ProtocolHarness.renumberLines))
        #expect(harness.host.status == .streaming)
        #expect(!harness.host.firmwareRebootedDuringHandshake)
        // The first line after the handshake is N2, and the window is empty.
        harness.host.enqueue(GCodeLine(sourceLine: 1, "G1 X1"))
        #expect(harness.flush() == ["N2 G1 X1*\(LineFraming.checksum(Array("N2 G1 X1".utf8)))\n"])
    }

    @Test func anIdentificationWithoutFirmwareNameCounts() {
        var harness = ProtocolHarness()
        harness.host.start(at: harness.now)
        harness.flush()
        harness.reply("ok", "echo:Unknown command: \"M115\"", "ok", "ok", ProtocolHarness.temperatureOk)
        #expect(harness.flush() == ProtocolHarness.confirmLines + ProtocolHarness.renumberLines)
        harness.reply("ok")
        #expect(harness.host.status == .streaming)
    }

    /// A retry written while a previous session's queue still filled the RX buffer: the
    /// firmware answers an earlier attempt's identification while a later hello, cut by the
    /// overflow (its M115 lost), still waits in its queue and will reset the count to 0.
    @Test func anIdentificationFromAnEarlierAttemptIsConfirmedBeforeAnyFileLine() {
        var harness = ProtocolHarness { $0.handshakeTimeout = .seconds(2); $0.communicationTimeout = .seconds(4) }
        harness.host.start(at: harness.now)
        harness.flush()
        harness.advance(by: .seconds(2))
        #expect(harness.flush() == ProtocolHarness.handshakeLines, "the retry")
        harness.reply("ok", "FIRMWARE_NAME:Marlin 2.1", "ok")  // the first attempt's, at last
        #expect(harness.host.status == .handshaking, "not yet streaming")
        #expect(harness.flush() == ProtocolHarness.confirmLines)
        harness.reply("ok")  // the retry's N0 M110 N0; its N1 M115 was lost
        harness.reply("ok")  // the confirmation's N0 M110 N0
        #expect(harness.host.status == .handshaking, "a plain ok proves nothing")
        harness.host.enqueue(GCodeLine(sourceLine: 1, "G1 X1"))
        harness.reply(ProtocolHarness.temperatureOk)
        // The retry's N0 M110 ran after N1 M105 had arrived, so Marlin counts from 0 again:
        // the renumber goes out alone, and no file line before its `ok`.
        #expect(harness.host.status == .handshaking)
        #expect(harness.flush() == ProtocolHarness.renumberLines)
        #expect(harness.flush().isEmpty)
        harness.reply("ok")
        #expect(harness.host.status == .streaming)
        #expect(harness.flush() == ["N2 G1 X1*\(LineFraming.checksum(Array("N2 G1 X1".utf8)))\n"])
    }

    /// A damaged renumber draws `Error`, `Resend:` and `ok`: the handshake starts again, and
    /// the rest of that answer is ignored as a previous attempt's.
    @Test func aDamagedRenumberStartsTheHandshakeAgain() {
        var harness = ProtocolHarness()
        harness.host.start(at: harness.now)
        harness.flush()
        harness.reply("ok", "FIRMWARE_NAME:Marlin 2.1", "ok")
        harness.flush()
        harness.reply("ok", ProtocolHarness.temperatureOk)
        #expect(harness.flush() == ProtocolHarness.renumberLines)
        harness.reply("Error:checksum mismatch, Last Line: 1")
        #expect(harness.flush() == ProtocolHarness.handshakeLines)
        #expect(harness.reply("Resend: 2", "ok") == [.ignored("Resend: 2"), .ignored("ok")])
        harness.reply("ok", "FIRMWARE_NAME:Marlin 2.1", "ok")
        #expect(harness.answerConfirmationAndRenumber() == (ProtocolHarness.confirmLines, ProtocolHarness.renumberLines))
        #expect(harness.host.status == .streaming)
    }

    @Test func keepalivesFromAPreviousSessionsLongCommandPostponeTheRetry() {
        var harness = ProtocolHarness { $0.handshakeTimeout = .seconds(2); $0.communicationTimeout = .seconds(4) }
        harness.host.start(at: harness.now)
        harness.flush()
        harness.advance(by: .seconds(1))
        for _ in 0..<5 {
            harness.reply("echo:busy: processing")
            #expect(harness.advance(by: .seconds(2)).isEmpty)
        }
        #expect(harness.flush().isEmpty, "no retry while the firmware says it is busy")
    }
}

@Suite struct FlowControlTests {
    @Test func windowKeepsAtMostCommandSlotsLines() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        #expect(harness.flush().count == 4)
        harness.reply("ok")
        #expect(harness.flush().count == 1)
    }

    @Test func windowKeepsUnacknowledgedBytesWithinRx() {
        var harness = ProtocolHarness()
        harness.handshake()
        let long = (1...6).map { "G1 X\($0).123456 Y\($0).654321 Z0.2 E\($0).000001 F1800" }  // 45+ bytes framed
        harness.enqueue(long)
        let first = harness.flush()
        #expect(first.count == 2)
        #expect(first.reduce(0) { $0 + $1.utf8.count } <= 127)
    }

    @Test func pingPongKeepsOneLineInFlight() {
        var harness = ProtocolHarness { $0.flow = .fixed(.pingPong) }
        harness.handshake()
        harness.enqueue(moves(3))
        #expect(harness.flush().count == 1)
        #expect(harness.flush().isEmpty)
        harness.reply("ok")
        #expect(harness.flush().count == 1)
    }

    @Test func advancedOkCountsOnlyWhatIsNotYetQueued() {
        var harness = ProtocolHarness { $0.rxBufferBytes = 64 }
        harness.handshake(capabilities: ["ADVANCED_OK:1"])
        harness.enqueue(moves(40))
        let first = harness.flush()
        let firstBytes = first.reduce(0) { $0 + $1.utf8.count }
        #expect(firstBytes <= 63)
        // Line 1 taken, and the firmware says only 1 slot of 4 is free: lines 2..3 are queued,
        // so their bytes left RX and more lines fit than the bytes in flight alone would allow.
        harness.reply("ok N1 P15 B1")
        let more = harness.flush()
        #expect(more.count >= 2)
    }

    @Test func advancedOkLearnsADeeperCommandQueue() {
        var harness = ProtocolHarness()
        harness.handshake(capabilities: ["ADVANCED_OK:1"])
        harness.enqueue(moves(4))
        harness.flush()
        harness.reply("ok N1 P15 B15")
        #expect(harness.host.commandSlots == 16)
    }

    @Test func windowSendsANumberedSyncEveryConfiguredLines() {
        var harness = ProtocolHarness { $0.syncEveryLines = 5 }
        harness.handshake()
        harness.enqueue(moves(20))
        harness.answerInOrder(from: harness.written.count)
        #expect(harness.host.status == .finished)
        #expect(harness.syncsWritten == 4)  // after lines 5, 10, 15, and the final one after 20
        #expect(harness.sourceLinesWritten.count == 20)
        #expect(harness.host.progress.linesAcknowledged == 20)
    }
}

@Suite struct CompletionTests {
    @Test func finishesOnlyAfterTheNumberedFinalSyncComesBack() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(3))
        #expect(harness.flush() == [framedMove(1), framedMove(2), framedMove(3), framedSync(5)])
        harness.reply("ok", "ok", "ok")
        #expect(harness.host.status == .streaming)
        #expect(harness.host.progress.linesAcknowledged == 3)
        harness.reply(ProtocolHarness.temperatureOk)
        #expect(harness.host.status == .finished)
    }

    @Test func aDroppedOkCostsNoTimeout() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(12))
        harness.answerInOrder(from: harness.written.count, dropOkForLines: [4, 13])
        #expect(harness.host.status == .finished)
        #expect(harness.host.progress.timeouts == 0)
        #expect(harness.host.progress.linesAcknowledged == 12)
    }

    @Test func lostOksInAWindowOfLongLinesAreSettledBySyncWithoutATimeout() {
        var harness = ProtocolHarness { $0.stallSyncDelay = .milliseconds(100) }
        harness.handshake()
        let long = (1...6).map { "G1 X\($0).123456 Y\($0).654321 Z0.2 E\($0).000001 F1800" }
        harness.enqueue(long)
        #expect(harness.flush().count == 2)  // two 50-byte lines fill 127 bytes of RX
        harness.advance(by: .milliseconds(99))
        #expect(harness.flush().isEmpty)
        harness.advance(by: .milliseconds(1))  // both oks were lost: silence
        #expect(harness.flush() == [framedSync(4)])
        harness.reply(ProtocolHarness.temperatureOk)
        #expect(harness.host.progress.linesAcknowledged == 2)
        #expect(harness.flush().count == 2)
        #expect(harness.host.progress.timeouts == 0)
    }

    @Test func silenceAfterLostOksResendsTheOldestUnacknowledgedLine() {
        var harness = ProtocolHarness { $0.syncEveryLines = 0; $0.stallSyncDelay = .seconds(3600) }
        harness.handshake()
        harness.enqueue(moves(8))
        harness.answerInOrder(from: harness.written.count, dropOkForLines: [2, 3, 4, 5])
        #expect(harness.host.status == .streaming)
        #expect(harness.flush().isEmpty)  // the window believes four lines are still queued
        #expect(harness.advance(by: .seconds(4)) == [.timeout(consecutive: 1)])
        #expect(harness.flush() == (1...4).map(framedMove))
        // The firmware took them already: it rejects each copy and says what it has.
        for _ in 1...4 { harness.reply("Error:Line Number is not Last Line Number+1, Last Line: 5", "Resend: 6", "ok") }
        #expect(harness.host.progress.linesAcknowledged == 4)
        harness.answerInOrder(from: harness.written.count)
        #expect(harness.host.status == .finished)
        #expect(harness.sourceLinesWritten == Array(1...4) + Array(1...8))
    }

    @Test func aResendForTheNextLineAfterTheFinalSyncNeedsTheErrorLineToAgree() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(2))
        harness.flush()
        harness.reply("ok", "ok")
        harness.reply("Resend: 5", "ok")  // no Error line: could be a corrupted number
        #expect(harness.host.status == .streaming)
    }
}

@Suite struct ResendTests {
    // File line 2 travels as number 3: lines 0 and 1 were the handshake's.
    private static let checksumError = "Error:checksum mismatch, Last Line: 2"
    private static let lineError = "Error:Line Number is not Last Line Number+1, Last Line: 2"

    @Test func resendsFromTheRequestedLineOnceInAFullWindow() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        #expect(harness.flush().count == 4)  // lines 1-4
        harness.reply("ok")  // line 1 taken
        #expect(harness.flush().count == 1)  // line 5
        // Line 2 arrived damaged; 3, 4 and 5 were still on their way and each draws the same request.
        harness.reply(Self.checksumError, "Resend: 3", "ok")
        #expect(harness.flush().isEmpty)  // quiet: lines still travelling would drain the resent ones
        harness.advance(by: .milliseconds(5))
        for _ in 3...5 { harness.reply(Self.lineError, "Resend: 3", "ok") }
        #expect(harness.flush().isEmpty)
        harness.advance(by: .milliseconds(20))
        #expect(harness.flush() == (2...5).map(framedMove))
        #expect(harness.host.progress.resendRequests == 1)
        #expect(harness.host.progress.ignoredResendRequests == 3)
        harness.answerInOrder(from: harness.written.count - 4)
        #expect(harness.host.status == .finished)
        let counts = Dictionary(harness.sourceLinesWritten.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts[1] == 1)
        for line in 2...5 { #expect(counts[line] == 2, "line \(line)") }
        for line in 6...10 { #expect(counts[line] == 1, "line \(line)") }
    }

    @Test func theResendWaitsForTheQueueToEmptyOrForItsPatience() {
        var harness = ProtocolHarness { $0.resendPatience = .milliseconds(250) }
        harness.handshake()
        harness.enqueue(moves(10))
        harness.flush()  // 1-4
        harness.reply(Self.checksumError, "Resend: 3", "ok")  // line 1 still queued, not acknowledged
        harness.advance(by: .milliseconds(100))
        #expect(harness.flush().isEmpty)
        harness.reply("ok")  // line 1 done: the firmware's queue is empty
        harness.advance(by: .milliseconds(1))
        #expect(harness.flush().first == framedMove(2))
    }

    @Test func aResendStormAfterOneCorruptedLineRewindsOnce() {
        var harness = ProtocolHarness { $0.rxBufferBytes = 256 }
        harness.handshake(capabilities: ["ADVANCED_OK:1"])
        harness.enqueue(moves(30))
        let inFlight = harness.flush().count
        #expect(inFlight > 8)
        harness.reply("ok N2 P15 B3", "ok N3 P15 B3")  // file lines 1 and 2
        harness.flush()
        let lastSent = harness.sourceLinesWritten.max() ?? 0
        harness.reply("Error:checksum mismatch, Last Line: 3", "Resend: 4", "ok")  // file line 3
        for _ in 4...lastSent {
            harness.advance(by: .milliseconds(1))
            harness.reply("Error:Line Number is not Last Line Number+1, Last Line: 3", "Resend: 4", "ok")
        }
        #expect(harness.host.progress.resendRequests == 1)
        #expect(harness.host.progress.ignoredResendRequests == lastSent - 3)
        harness.advance(by: .milliseconds(50))
        let resumeIndex = harness.written.count
        harness.answerInOrder(from: resumeIndex, advancedOK: true)
        #expect(harness.host.status == .finished)
        #expect(Set(harness.sourceLinesWritten) == Set(1...30))
        #expect(harness.written[resumeIndex].bytes == Array(framedMove(3).utf8))
    }

    @Test func aRequestAfterTheResendIsHonoured() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(6))
        harness.flush()
        harness.reply("ok", Self.checksumError, "Resend: 3", "ok")
        harness.advance(by: .milliseconds(50))
        #expect(harness.flush().first == framedMove(2))
        harness.reply(Self.checksumError, "Resend: 3", "ok")  // the resent line 2 was damaged too
        #expect(harness.host.progress.resendRequests == 2)
        harness.advance(by: .milliseconds(50))
        #expect(harness.flush().first == framedMove(2))
    }

    @Test func aLostResendLineIsRecoveredFromTheErrorLine() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(6))
        harness.flush()
        harness.reply("ok", Self.checksumError, "ok")  // `Resend: 2` itself was garbled away
        #expect(harness.host.progress.resendRequests == 1)
        harness.advance(by: .milliseconds(50))
        #expect(harness.flush().first == framedMove(2))
    }

    @Test func aRequestForALineNoLongerKeptIsFatalOnceConfirmed() {
        var harness = ProtocolHarness { $0.historyLines = 8; $0.syncEveryLines = 0 }
        harness.handshake()
        harness.enqueue(moves(30), finish: false)
        harness.answerInOrder(from: harness.written.count)
        #expect(harness.host.progress.linesAcknowledged == 30)
        harness.reply("Resend: 4", "ok")
        #expect(harness.host.status == .streaming)  // one such request may be a flipped digit
        harness.reply("Resend: 4", "ok")
        #expect(harness.host.status == .failed(.resendOutOfHistory(requested: 4, oldestKept: 24)))
        #expect(harness.flush().isEmpty)
    }

    @Test func theSameLineRequestedAgainAndAgainIsFatal() {
        var harness = ProtocolHarness { $0.maxRequestsForSameLine = 3 }
        harness.handshake()
        harness.enqueue(moves(6))
        harness.flush()
        harness.reply("ok")
        for _ in 1...3 {
            harness.reply(Self.checksumError, "Resend: 3", "ok")
            harness.advance(by: .milliseconds(50))
            harness.flush()
        }
        harness.reply(Self.checksumError, "Resend: 3", "ok")
        #expect(harness.host.status == .failed(.resendStuck(line: 3, times: 4)))
    }

    @Test func implausibleRequestsAreIgnored() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(4), finish: false)
        harness.flush()
        harness.reply("Resend: 99", "ok")
        harness.reply("Resend: 6", "ok")  // the next new line: nothing to resend
        #expect(harness.host.progress.resendRequests == 0)
        #expect(harness.host.progress.ignoredResendRequests == 2)
    }
}

@Suite struct TimeoutTests {
    @Test func busyRepliesKeepALongCommandAlive() {
        var harness = ProtocolHarness { $0.communicationTimeout = .seconds(4) }
        harness.handshake()
        harness.enqueue(["G28", "G1 X1"])
        harness.flush()
        for _ in 0..<30 {
            #expect(harness.advance(by: .seconds(2)).isEmpty)
            harness.reply("echo:busy: processing")
        }
        #expect(harness.host.progress.timeouts == 0)
        harness.reply("ok", "ok", ProtocolHarness.temperatureOk)
        #expect(harness.host.status == .finished)
    }

    @Test func silenceResendsWithBackoffThenGivesUp() {
        var harness = ProtocolHarness {
            $0.communicationTimeout = .seconds(4)
            $0.maxConsecutiveTimeouts = 3
            $0.stallSyncDelay = .seconds(3600)
        }
        harness.handshake()
        harness.enqueue(moves(4), finish: false)
        harness.flush()
        #expect(harness.advance(by: .milliseconds(3999)).isEmpty)
        #expect(harness.advance(by: .milliseconds(1)) == [.timeout(consecutive: 1)])
        #expect(harness.flush() == (1...4).map(framedMove))
        #expect(harness.advance(by: .seconds(7)).isEmpty)
        #expect(harness.advance(by: .seconds(1)) == [.timeout(consecutive: 2)])
        #expect(harness.flush().first == framedMove(1))
        #expect(harness.advance(by: .seconds(12)) == [.timeout(consecutive: 3)])
        harness.flush()
        #expect(harness.advance(by: .seconds(16)) == [.failed(.notResponding(timeouts: 3, lastAcknowledgedLine: 0))])
        #expect(harness.flush().isEmpty)
    }

    @Test func temperatureLinesOfAHeatingWaitKeepItAlive() {
        var harness = ProtocolHarness { $0.communicationTimeout = .seconds(4) }
        harness.handshake()
        harness.enqueue(["M109 S210", "G1 X1"])
        harness.flush()
        for second in 0..<60 {
            #expect(harness.advance(by: .seconds(1)).isEmpty)
            harness.reply(" T:\(25 + second * 3).00 /210.00 B:60.00 /60.00 @:127 B@:0 W:?")
        }
        #expect(harness.host.progress.timeouts == 0)
    }

    @Test func autoreportedTemperaturesDoNotHideALostOk() {
        var harness = ProtocolHarness { $0.communicationTimeout = .seconds(4) }
        harness.handshake()
        harness.enqueue(["G1 X1"])
        harness.flush()
        harness.advance(by: .seconds(2))
        harness.reply(" T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0")
        #expect(harness.advance(by: .seconds(2)) == [.timeout(consecutive: 1)])
    }

    @Test func aLostNewlineIsCompletedByTheResentLine() {
        var harness = ProtocolHarness { $0.stallSyncDelay = .seconds(3600) }
        harness.handshake()
        harness.enqueue(moves(2), finish: false)
        harness.flush()
        harness.reply("ok")
        harness.advance(by: .seconds(4))
        #expect(harness.flush() == [framedMove(2)])
        // Line 2 lost its newline, so the resent copy merged into it and broke its checksum.
        harness.reply("Error:checksum mismatch, Last Line: 2", "Resend: 3", "ok")
        harness.advance(by: .milliseconds(50))
        #expect(harness.flush() == [framedMove(2)])
    }

    @Test func marlinsWaitResendsAtOnce() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(3), finish: false)
        harness.flush()
        harness.reply("ok")
        harness.reply("wait")
        #expect(harness.flush() == [framedMove(2), framedMove(3)])
    }
}

@Suite struct FirmwareEventTests {
    @Test func aResetMidStreamStopsEverything() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        harness.flush()
        harness.reply("ok", "ok")
        #expect(harness.reply("start") == [.failed(.firmwareReset(lastAcknowledgedLine: 2))])
        #expect(harness.flush().isEmpty)
        harness.reply("ok")
        #expect(harness.flush().isEmpty)
    }

    @Test func aHaltIsFatal() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(3))
        harness.flush()
        harness.reply("Error:Printer halted. kill() called!")
        #expect(harness.host.status == .failed(.printerHalted(message: "Printer halted. kill() called!", lastAcknowledgedLine: 0)))
    }

    @Test func emergencyStopBypassesAFullWindowAndEndsTheStream() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        #expect(harness.flush().count == 4)
        harness.host.emergency(.emergencyStop)
        #expect(harness.flush() == ["M112\n"])
        #expect(harness.host.status == .emergencyStopped)
        harness.reply("ok", "ok")
        #expect(harness.flush().isEmpty)
    }

    @Test func cancelWaitBypassesTheWindowAndTheStreamGoesOn() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(["M109 S210"] + moves(5))
        harness.flush()
        harness.host.emergency(.cancelWait)
        #expect(harness.flush() == ["M108\n"])
        harness.answerInOrder(from: harness.written.count - 5)
        #expect(harness.host.status == .finished)
    }

    @Test func anOwnUnknownCommandIsAcknowledgedButAFragmentOkIsNot() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(["M9999", "G1 X1", "G1 X2"])
        harness.flush()
        harness.reply("echo:Unknown command: \"M9999\"", "ok")
        #expect(harness.host.progress.linesAcknowledged == 1)
        harness.reply("echo:Unknown command: \"1 X1\"", "ok")
        #expect(harness.host.progress.linesAcknowledged == 1)
        #expect(harness.host.progress.ignoredOks == 1)
    }

    @Test func theprintersPauseAndResumeAreHonoured() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        harness.flush()
        harness.reply("//action:pause")
        #expect(harness.host.status == .pausedByPrinter)
        harness.reply("ok", "ok")
        #expect(harness.flush().isEmpty)
        harness.reply("//action:resume")
        #expect(harness.flush().count == 2)
    }

    @Test func aConnectionThatOutlivesJobsIsToldOfThePrintersPauseAndKeepsSending() {
        var harness = ProtocolHarness { $0.printerPauseHoldsStream = false }
        harness.handshake()
        harness.enqueue(moves(10))
        harness.flush()
        #expect(harness.reply("//action:pause") == [.hostAction(.pause)])
        #expect(harness.host.status == .streaming)
        harness.reply("ok", "ok")
        #expect(harness.flush().count == 2)
        harness.reply("//action:paused")
        #expect(harness.host.status == .pausedByPrinter, "the firmware paused by itself: nothing may be sent")
        harness.reply("//action:resumed")
        #expect(harness.host.status == .streaming)
    }

    @Test func thePrintersCancelIsFatal() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        harness.flush()
        #expect(harness.reply("//action:cancel") == [.failed(.cancelledByPrinter(lastAcknowledgedLine: 0))])
    }

    @Test func stopLeavesNothingMoreToWrite() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10))
        harness.flush()
        harness.host.stop()
        harness.reply("ok")
        #expect(harness.flush().isEmpty)
        #expect(harness.host.status == .stopped)
    }
}

@Suite struct EdgeCaseTests {
    @Test func aStreamWithNothingToSendStillEndsWithAProvenSync() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.host.finishInput()
        #expect(harness.flush() == [framedSync(2)])
        harness.reply(ProtocolHarness.temperatureOk)
        #expect(harness.host.status == .finished)
    }

    @Test func aPlainOkForTheFinalSyncIsNotProofEnough() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(["G28"])
        #expect(harness.flush() == [String(decoding: LineFraming.framed(number: 2, command: Array("G28".utf8)), as: UTF8.self), framedSync(3)])
        harness.reply("ok")
        harness.reply("ok")  // the sync's answer lost its temperatures to noise
        #expect(harness.host.status == .streaming)
        #expect(harness.flush() == [framedSync(3)])
        harness.reply("Error:Line Number is not Last Line Number+1, Last Line: 3", "Resend: 4", "ok")
        #expect(harness.host.status == .finished)
    }
}

@Suite struct CorruptedReplyTests {
    @Test func aConfirmedRequestWinsOverACorruptedAdvancedOk() {
        var harness = ProtocolHarness()
        harness.handshake(capabilities: ["ADVANCED_OK:1"])
        harness.enqueue(moves(10))
        harness.flush()
        harness.reply("ok N5 P15 B3")  // really `ok N2`: a flipped digit claims lines up to 5
        harness.reply("Error:checksum mismatch, Last Line: 2", "Resend: 3", "ok")
        #expect(harness.host.progress.resendRequests == 1)
        harness.advance(by: .milliseconds(50))
        #expect(harness.flush().first == framedMove(2))
    }

    @Test func anUnconfirmedRequestBelowWhatTheFirmwareStatedIsIgnored() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10), finish: false)
        harness.flush()
        harness.reply("ok")
        harness.reply("Error:Line Number is not Last Line Number+1, Last Line: 4", "Resend: 5", "ok")
        #expect(harness.host.progress.resendRequests == 1)
        harness.advance(by: .milliseconds(50))
        harness.flush()
        harness.reply("Resend: 3", "ok")  // no Error line, and the firmware said it took line 4
        #expect(harness.host.progress.resendRequests == 1)
        #expect(harness.host.progress.ignoredResendRequests == 1)
    }

    @Test func disagreeingErrorAndResendLinesAreBothIgnored() {
        var harness = ProtocolHarness()
        harness.handshake()
        harness.enqueue(moves(10), finish: false)
        harness.flush()
        harness.reply("Error:Line Number is not Last Line Number+1, Last Line: 693", "Resend: 69", "ok")
        #expect(harness.host.progress.resendRequests == 0)
        #expect(harness.host.progress.ignoredResendRequests == 1)
    }
}
