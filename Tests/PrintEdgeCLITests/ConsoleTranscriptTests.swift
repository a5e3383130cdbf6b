import PrintEdgeControl
import Testing
@testable import printedge

/// Each line once, whichever of the two streams brings it first, grouped under its command.
struct ConsoleTranscriptTests {
    private func reply(_ text: String) -> ConsoleEvent { ConsoleEvent(kind: "reply", printer: "mk", text: text) }

    @Test func aReplyBroughtByBothStreamsIsPrintedOnceUnderItsCommand() {
        var transcript = ConsoleTranscript()
        var printed = transcript.sent("M114")
        printed += transcript.sendEvent(reply("X:0.00 Y:0.00 Z:0.00 E:0.00"))
        printed += transcript.consoleEvent(reply("X:0.00 Y:0.00 Z:0.00 E:0.00"))
        printed += transcript.sendEvent(reply("ok"))
        printed += transcript.sendFinished(error: nil)
        printed += transcript.consoleEvent(reply("ok"))
        #expect(printed == ["> M114", "  X:0.00 Y:0.00 Z:0.00 E:0.00"])
    }

    @Test func theConsoleCopyArrivingFirstWaitsForItsSendCopy() {
        var transcript = ConsoleTranscript()
        var printed = transcript.sent("M115")
        printed += transcript.consoleEvent(reply("FIRMWARE_NAME:Marlin"))
        #expect(printed == ["> M115"], "held, not printed outside the group")
        printed += transcript.sendEvent(reply("FIRMWARE_NAME:Marlin"))
        printed += transcript.consoleEvent(reply("echo:something before"))
        printed += transcript.sendFinished(error: nil)
        #expect(printed == ["> M115", "  FIRMWARE_NAME:Marlin", "echo:something before"])
    }

    @Test func okAndReportsAreHiddenUnlessAskedAndTheDaemonsPollIsNotAnAnswer() {
        var transcript = ConsoleTranscript()
        var printed = transcript.consoleEvent(reply("ok"))
        printed += transcript.consoleEvent(reply(" T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"))
        printed += transcript.consoleEvent(reply("echo:busy: processing"))
        printed += transcript.consoleEvent(reply("echo:busy: paused for user"))
        #expect(printed == ["echo:busy: paused for user"])
        printed = transcript.sent("G28")
        printed += transcript.sendEvent(reply("ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"))
        printed += transcript.sendEvent(reply("ok"))
        #expect(printed == ["> G28"], "the daemon's own M105 is not G28's answer")
        _ = transcript.sendFinished(error: nil)
        printed = transcript.sent("M105")
        printed += transcript.sendEvent(reply("ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"))
        printed += transcript.sendEvent(reply("ok T:25.10 /0.00 B:25.00 /0.00 @:0 B@:0"))
        #expect(printed == ["> M105", "  ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"])
        _ = transcript.sendFinished(error: nil)
        transcript.showNoise = true
        #expect(transcript.consoleEvent(reply("wait")) == ["wait"])
    }

    @Test func aFirmwareRefusalShowsThePrintersAnswerUnderTheCommandOnce() {
        var transcript = ConsoleTranscript()
        var printed = transcript.sent("M9876")
        printed += transcript.consoleEvent(reply(#"echo:Unknown command: "M9876""#))
        printed += transcript.consoleEvent(ConsoleEvent(kind: "message", printer: "mk", text: #"Unknown command: "M9876""#))
        printed += transcript.sendFinished(error: ControlError(code: .firmwareError, message: #"printer mk answered: Unknown command: "M9876""#))
        #expect(printed == ["> M9876", #"  echo:Unknown command: "M9876""#])
        #expect(transcript.refusals.count == 1)
    }

    @Test func aMessageRepeatingAReplyIsDroppedAndRefusalsAreCounted() {
        var transcript = ConsoleTranscript()
        var printed = transcript.sent("M9876")
        printed += transcript.sendEvent(reply(#"echo:Unknown command: "M9876""#))
        printed += transcript.sendEvent(reply("ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"))
        printed += transcript.sendEvent(ConsoleEvent(kind: "message", printer: "mk", text: #"Unknown command: "M9876""#))
        printed += transcript.sendFinished(error: nil)
        #expect(printed == ["> M9876", #"  echo:Unknown command: "M9876""#])
        #expect(transcript.refusals == [#"echo:Unknown command: "M9876""#])
    }

    @Test func stateChangesAndTheSendsErrorAreShown() {
        var transcript = ConsoleTranscript()
        var printed = transcript.sent("G28")
        printed += transcript.consoleEvent(ConsoleEvent(kind: "state", printer: "mk", text: "connected"))
        printed += transcript.sendFinished(error: ControlError(code: .refused, message: "printer mk is printing"))
        #expect(printed == ["> G28", "[state] connected", "  error: printer mk is printing"])
    }
}
