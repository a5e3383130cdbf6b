import Testing
@testable import PrintEdgeAgent
import PrintEdgePOSIX
import PrintEdgeSerial

@Suite struct OutputBufferTests {
    private func lines(_ texts: String...) -> OutputBuffer {
        var buffer = OutputBuffer()
        for text in texts { buffer.append(Array(text.utf8)) }
        return buffer
    }

    @Test func aStopKeepsTheRestOfTheLineBeingWrittenAndDropsTheOthers() {
        var buffer = lines("N2 G28*18\n", "N3 G1 X1*99\n", "N4 G1 X2*98\n")
        buffer.consume(4)  // "N2 G" is on the wire
        buffer.dropLinesNotStarted()
        #expect(buffer.pendingByteCount == "28*18\n".utf8.count)
    }

    @Test func aStopBetweenTwoLinesDropsEverythingPending() {
        var buffer = lines("N2 G28*18\n", "N3 G1 X1*99\n")
        buffer.consume("N2 G28*18\n".utf8.count)
        buffer.dropLinesNotStarted()
        #expect(buffer.pendingByteCount == 0)
    }

    @Test func aStopBeforeAnythingWasWrittenDropsEverything() {
        var buffer = lines("N2 G28*18\n")
        buffer.dropLinesNotStarted()
        #expect(buffer.pendingByteCount == 0)
    }

    @Test func writesThroughARealPtyAndForgetsWhatWasTaken() throws {
        let terminal = try PseudoTerminal()
        let port = try SerialPort(.init(path: terminal.slavePath, baudRate: 115_200))
        let transport = SerialTransport(port: port, wakeup: try WakeupPipe(), stopSignal: nil)
        var buffer = lines("N2 G28*18\n", "N3 G1 X1*99\n")
        try buffer.write(to: transport)
        #expect(buffer.pendingByteCount == 0)
        var received = [UInt8](repeating: 0, count: 64)
        let count = try received.withUnsafeMutableBytes { try terminal.read(into: $0) }
        #expect(String(decoding: received[0..<count], as: UTF8.self) == "N2 G28*18\nN3 G1 X1*99\n")
    }
}

@Suite struct ReplyAssemblerTests {
    private func assemble(_ chunks: [String]) -> [String] {
        var assembler = ReplyAssembler()
        var lines: [String] = []
        for chunk in chunks {
            assembler.append(Array(chunk.utf8)[...]) { lines.append(String($0)) }
        }
        return lines
    }

    @Test func linesSplitAcrossReadsAreJoined() {
        #expect(assemble(["o", "k\nok T:2", "0.0 /0.0\r\n"]) == ["ok", "ok T:20.0 /0.0"])
    }

    @Test func emptyLinesAreSkipped() {
        #expect(assemble(["\n\r\nok\n\n"]) == ["ok"])
    }

    @Test func aRunawayLineIsCutInsteadOfGrowingForever() {
        let junk = String(repeating: "x", count: ReplyAssembler.maxLineBytes + 10)
        let lines = assemble([junk, "\nok\n"])
        #expect(lines.first?.count == ReplyAssembler.maxLineBytes + 10)
        #expect(lines.last == "ok")
    }

    @Test func bytesThatAreNotUTF8DoNotStopTheStream() {
        var assembler = ReplyAssembler()
        var lines: [String] = []
        assembler.append([0x6F, 0xEB, 0x0A, 0x6F, 0x6B, 0x0A][...]) { lines.append(String($0)) }
        #expect(lines == ["o\u{FFFD}", "ok"])
    }
}
