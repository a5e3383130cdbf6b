import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// `get_serial_commands()`: line numbers, checksums, M110, and the replies to errors.
@Suite struct LineFramingTests {
    @Test func goodNumberedLineGetsOK() {
        var rig = PrinterRig()
        rig.sendNumbered(1, "G90")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
        #expect(rig.printer.lastLineNumber == 1)
    }

    @Test func badChecksumAsksForTheSameLineAgain() {
        var rig = PrinterRig()
        for number in 1...3 { rig.sendNumbered(number, "G90") }
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok", "ok"])
        let body = "N4 G1 X1"
        rig.send(body + "*\(checksum(body) ^ 0x55)\n")
        #expect(rig.run(for: .seconds(1)) == ["Error:checksum mismatch, Last Line: 3", "Resend: 4", "ok"])
        #expect(rig.printer.statistics.checksumErrors == 1)
        #expect(rig.printer.statistics.resendsRequested == 1)
        rig.sendNumbered(4, "G1 X1")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
    }

    @Test func checksumIsReadLikeStrtol() {
        var rig = PrinterRig()
        let body = "N1 G90"
        rig.send(body + "*\(checksum(body))junk\n")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
    }

    @Test func checksumCoversBytesUpToTheLastStar() {
        var rig = PrinterRig()
        let body = "N1 M117 a*b"
        rig.send(body + "*\(checksum(body))\n")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
    }

    @Test func checksumSkipsLeadingSpaces() {
        var rig = PrinterRig()
        let body = "N1 G90"
        rig.send("   " + body + "*\(checksum(body))\n")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
    }

    @Test func wrongLineNumberReportsTheLastGoodOne() {
        var rig = PrinterRig()
        rig.sendNumbered(1, "G90")
        rig.sendNumbered(3, "G90")
        #expect(rig.run(for: .seconds(1)) == [
            "ok", "Error:Line Number is not Last Line Number+1, Last Line: 1", "Resend: 2", "ok",
        ])
        #expect(rig.printer.statistics.lineNumberErrors == 1)
    }

    @Test func lineNumberIsCheckedBeforeTheChecksum() {
        var rig = PrinterRig()
        rig.send("N7 G90*1\n")
        #expect(rig.run(for: .seconds(1)).first == "Error:Line Number is not Last Line Number+1, Last Line: 0")
    }

    @Test func numberedLineWithoutChecksumIsRefused() {
        var rig = PrinterRig()
        rig.send("N1 G90\n")
        #expect(rig.run(for: .seconds(1)) == ["Error:No Checksum with line number, Last Line: 0", "Resend: 1", "ok"])
        #expect(rig.printer.statistics.noChecksumErrors == 1)
    }

    @Test func unnumberedLinesAreAcceptedWithoutChecksum() {
        var rig = PrinterRig()
        rig.send("G90\nM400\n")
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok"])
        #expect(rig.printer.statistics.unnumberedCommands == 2)
        #expect(rig.printer.statistics.linesExecuted == 0)
    }

    @Test func blankAndCommentOnlyLinesGetNoReply() {
        var rig = PrinterRig()
        rig.send("\n\r\n; just a comment\n(inline)\nG90 ; trailing\n")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
    }

    @Test func numberedM110SetsTheNumberAfterItsOwnN() {
        var rig = PrinterRig()
        rig.sendNumbered(1, "G90")
        rig.sendNumbered(0, "M110 N0")
        rig.sendNumbered(1, "G90")
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok", "ok"])
        #expect(rig.printer.lastLineNumber == 1)
        rig.sendNumbered(41, "M110 N100")
        rig.sendNumbered(101, "G90")
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok"])
    }

    @Test func numberedM110WithoutSecondNUsesItsLineNumber() {
        var rig = PrinterRig()
        rig.sendNumbered(5, "M110")
        rig.sendNumbered(6, "G90")
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok"])
        #expect(rig.printer.lastLineNumber == 6)
    }

    @Test func unnumberedM110SetsTheLineNumberWhenItExecutes() {
        var rig = PrinterRig()
        rig.send("M110 N41\n")
        rig.sendNumbered(42, "G90")
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok"])
    }

    @Test func m110QueuedBehindAWaitResetsTheNumberAgainWhenItRuns() {
        // Marlin sets last_N once when it reads the line and again when M110 executes:
        // lines read in between are forgotten. A host that queues M110 behind a long
        // command and keeps streaming is told to resend.
        var rig = PrinterRig()
        rig.send("G28\n")
        rig.sendNumbered(0, "M110 N0")
        rig.sendNumbered(1, "G90")
        rig.sendNumbered(2, "G90")
        #expect(rig.run(for: .seconds(4)) == ["ok", "ok", "ok", "ok"])
        #expect(rig.printer.lastLineNumber == 0)
        rig.sendNumbered(3, "G90")
        #expect(rig.run(for: .seconds(1)).first == "Error:Line Number is not Last Line Number+1, Last Line: 0")
    }

    @Test func linesLongerThanTheBufferAreCutAt95Characters() {
        var rig = PrinterRig()
        let long = "M9876" + String(repeating: "X", count: 150)
        rig.send(long + "\n")
        let expected = "echo:Unknown command: \"" + String(long.prefix(95)) + "\""
        #expect(rig.run(for: .seconds(1)) == [expected, "ok"])
    }

    @Test func noiseNulEndsTheLineForStringFunctions() {
        var rig = PrinterRig()
        rig.send("N1 G90\u{0}*12\n")
        #expect(rig.run(for: .seconds(1)).first == "Error:No Checksum with line number, Last Line: 0")
    }
}
