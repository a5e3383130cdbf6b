import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// The execution log, and the planner-starvation figure.
@Suite struct ExecutionLogTests {
    @Test func logHoldsNumberedCommandsNormalised() {
        var rig = PrinterRig()
        rig.sendNumbered(0, "M110 N0")
        rig.sendNumbered(1, "G1 X10 Y20 F3000")
        rig.send("M105\n")
        let body = "N2 M117 Hello world  "
        rig.send(body + "*\(checksum(body))\n")
        rig.sendNumbered(3, "M9999")
        _ = rig.run(for: .seconds(2))
        #expect(rig.printer.takeExecutionLog() == ["G1 X10 Y20 F3000", "M117 Hello world", "M9999"])
        #expect(rig.printer.takeExecutionLog() == [])
        let statistics = rig.printer.statistics
        #expect(statistics.linesExecuted == 3)
        #expect(statistics.unnumberedCommands == 1)
    }

    @Test func logFollowsExecutionNotArrival() {
        var rig = PrinterRig { $0.plannerBlocks = 2 }
        rig.sendNumbered(1, "G1 X10 F600")
        rig.sendNumbered(2, "G1 X0")
        _ = rig.run(for: .milliseconds(100))
        #expect(rig.printer.takeExecutionLog() == ["G1 X10 F600"])
        _ = rig.run(for: .seconds(1))
        #expect(rig.printer.takeExecutionLog() == ["G1 X0"])
    }

    @Test func starvationIsTheGapBetweenMovesWithNothingQueued() {
        var rig = PrinterRig()
        rig.send("G1 X10 F600\n")  // a 1 s move
        _ = rig.run(for: .seconds(3))
        rig.send("G1 X0\n")
        _ = rig.run(for: .seconds(5))
        let moveEnds = byteNanoseconds(12, baud: 115_200) + 1_000_000_000
        let nextEnters = 3_000_000_000 + byteNanoseconds(6, baud: 115_200)
        #expect(rig.printer.statistics.plannerStarvedSeconds == Double(nextEnters - moveEnds) / 1e9)
    }

    @Test func trailingIdleIsNotStarvation() {
        var rig = PrinterRig()
        rig.send("G1 X10 F600\n")
        _ = rig.run(for: .seconds(60))
        #expect(rig.printer.statistics.plannerStarvedSeconds == 0)
    }

    @Test func waitsAreNotStarvation() {
        var rig = PrinterRig()
        rig.send("G1 X10 F600\nG4 S2\nG28\nM400\nG1 X0\n")
        _ = rig.run(for: .seconds(10))
        #expect(rig.printer.statistics.plannerStarvedSeconds == 0)
    }

    @Test func pollsDoNotEndAStarvationGap() {
        var rig = PrinterRig()
        rig.send("G1 X10 F600\n")
        _ = rig.run(for: .seconds(2))
        rig.send("M105\n")
        _ = rig.run(for: .seconds(1))
        rig.send("G1 X0\n")
        _ = rig.run(for: .seconds(3))
        #expect(rig.printer.statistics.plannerStarvedSeconds > 1.99)
    }

    @Test func streamingFastEnoughNeverStarves() {
        var rig = PrinterRig { $0.advancedOK = true }
        var number = 1
        var inFlight = 0
        for _ in 0..<4 {
            rig.sendNumbered(number, "G1 X\(number % 2 * 10) F600")
            number += 1
            inFlight += 1
        }
        // Ping-pong-ish: one new line per ok, for 50 lines of 1 s moves.
        while number <= 50 {
            let replies = rig.run(for: .milliseconds(50))
            for reply in replies where reply.hasPrefix("ok") {
                rig.sendNumbered(number, "G1 X\(number % 2 * 10) F600")
                number += 1
            }
        }
        _ = rig.run(for: .seconds(60))
        #expect(rig.printer.statistics.linesExecuted == 50)
        #expect(rig.printer.statistics.plannerStarvedSeconds == 0)
    }
}
