import Testing
@testable import PrintEdgeCore

@Suite struct GCodePreflightTests {
    /// A command whose framed line (as line `number`) is exactly `bytes` long, newline included.
    private func command(framedTo bytes: Int, number: Int) -> String {
        var text = "M117 "
        while LineFraming.framedLength(number: number, command: Array(text.utf8)) < bytes { text += "x" }
        return text
    }

    @Test func aLineOfExactlyNinetySixFramedBytesPasses() throws {
        var preflight = GCodePreflight()
        let text = command(framedTo: 96, number: 1)
        #expect(LineFraming.framedLength(number: 1, command: Array(text.utf8)) == 96)
        #expect(try preflight.check(rawLine: Array(text.utf8)) != nil)
    }

    @Test func oneByteMoreIsRefusedWithItsLine() {
        var preflight = GCodePreflight()
        let text = command(framedTo: 97, number: 2)
        #expect(throws: GCodePreflight.Rejection.self) {
            _ = try preflight.check(rawLine: Array("G28".utf8))
            _ = try preflight.check(rawLine: Array("; comment".utf8))
            _ = try preflight.check(rawLine: Array(text.utf8))
        }
        #expect(preflight.sourceLines == 3)
    }

    @Test func framedLengthMatchesTheRealFraming() {
        for number in [1, 9, 10, 99, 100, 12_345] {
            let command = Array("G1 X12.345 Y6.789 E0.01234".utf8)
            #expect(LineFraming.framedLength(number: number, command: command)
                == LineFraming.framed(number: number, command: command).count)
        }
    }

    @Test func nonASCIIInACommentIsFineButNotInACommand() throws {
        var preflight = GCodePreflight()
        #expect(try preflight.check(rawLine: Array("G28 ; homing — all axes".utf8)) == Array("G28".utf8))
        do {
            _ = try preflight.check(rawLine: Array("M117 Température".utf8))
            Issue.record("a non-ASCII command passed")
        } catch {
            #expect(error.sourceLine == 2)
            #expect(error.reason == .nonASCII(byte: 0xC3, column: 10))
        }
    }

    @Test func controlCharactersAreRefusedToo() {
        var preflight = GCodePreflight()
        #expect(throws: GCodePreflight.Rejection.self) {
            _ = try preflight.check(rawLine: [0x47, 0x31, 0x00, 0x58])
        }
    }
}
