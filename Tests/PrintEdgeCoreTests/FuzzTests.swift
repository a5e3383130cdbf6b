import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeCore

/// Seeded random input against the parser and the state machine: whatever the firmware (or
/// the cable) says, nothing traps and the stream's invariants hold. Seconds of CPU per
/// case: on threads of their own, not the cooperative pool's.
@Suite(.onThreadOfItsOwn) struct FuzzTests {
    static let templates = [
        "ok", "ok N%d P%d B%d", "ok T:%d.00 /%d.00 B:%d.00 /0.00 @:%d B@:0", "Resend: %d", "rs N%d",
        "Error:checksum mismatch, Last Line: %d", "Error:Line Number is not Last Line Number+1, Last Line: %d",
        "Error:No Checksum with line number, Last Line: %d", "echo:busy: processing", "echo:busy: paused for user",
        "wait", " T:%d.00 /%d.00 B:%d.00 /%d.00 @:0 B@:0 W:?", "echo:Unknown command: \"G%d\"", "Cap:ADVANCED_OK:%d",
        "//action:pause", "//action:resume", "FIRMWARE_NAME:Marlin %d", "echo:SD card ok",
    ]

    static func reply(_ random: inout SplitMix64) -> String {
        var text = templates[Int.random(in: 0..<templates.count, using: &random)]
        while let range = text.firstRange(of: "%d") {
            text.replaceSubrange(range, with: String(Int.random(in: -5...3000, using: &random)))
        }
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 0...2, using: &random) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)  // a noisy cable
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: 1...4)
    func theParserNeverTraps(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        for _ in 0..<20_000 {
            _ = FirmwareReply(parsing: Self.reply(&random))
            let junk = (0..<Int.random(in: 0...120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = FirmwareReply(parsing: String(decoding: junk, as: UTF8.self))
        }
    }

    @Test(arguments: [FlowSelection.fixed(.pingPong), .fixed(.window), .fixed(.advancedOK), .auto], 1...3)
    func theStateMachineSurvivesAnyReplies(flow: FlowSelection, seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 7919)
        var harness = ProtocolHarness { $0.flow = flow; $0.handshakeAttempts = 1_000; $0.maxConsecutiveTimeouts = 1_000 }
        harness.host.start(at: harness.now)
        harness.enqueue(moves(500), finish: true)
        var lineNumbersSeen = Set<Int>()
        for _ in 0..<20_000 where !harness.host.isTerminal {
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                harness.advance(by: .milliseconds(Int64.random(in: 0...3000, using: &random)))
            case 1:
                harness.host.emergency(.cancelWait)
            default:
                harness.reply(Self.reply(&random))
            }
            for written in harness.flush() {
                let text = written.drop { $0 == "\n" }  // the hello's leading newline
                guard text.hasPrefix("N"), let end = text.firstIndex(of: " "), let number = Int(text.dropFirst().prefix(upTo: end)) else {
                    continue
                }
                lineNumbersSeen.insert(number)
            }
            let progress = harness.host.progress
            #expect(progress.linesAcknowledged <= progress.linesSent)
            #expect(progress.linesSent <= 500)
        }
        // Numbers are dense: a line is never skipped, whatever was resent.
        if let highest = lineNumbersSeen.max() {
            #expect(lineNumbersSeen == Set(0...highest))
        }
    }
}
