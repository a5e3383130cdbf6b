import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// When `ok` comes: as a command leaves the queue, and for a move as it enters the planner.
@Suite struct CommandTimingTests {
    @Test func moveIsAcknowledgedAsItEntersThePlanner() {
        var rig = PrinterRig()
        rig.send("G1 X10 F600\n")  // 1 s of motion
        let replies = rig.timedRun(for: .seconds(2))
        #expect(replies.map(\.line) == ["ok"])
        // Arrives after its 12 bytes, acknowledged at once, "ok\n" back in 3 byte times.
        #expect(replies.first?.at == MonotonicInstant(nanoseconds: byteNanoseconds(12, baud: 115_200) + byteNanoseconds(3, baud: 115_200)))
    }

    @Test func fullPlannerHoldsTheOkUntilABlockCompletes() {
        var rig = PrinterRig()
        // 15 one-second moves fill the 16-slot planner (one slot stays free).
        for index in 0..<15 { rig.send("G1 X\(index % 2 == 0 ? 10 : 0) F600\n") }
        let first = rig.timedRun(for: .milliseconds(500))
        #expect(first.count == 15)
        #expect(rig.printer.plannedMoveCount == 15)
        rig.send("G1 X10\n")
        let waiting = rig.timedRun(for: .milliseconds(499))
        #expect(waiting.isEmpty)
        let released = rig.timedRun(for: .milliseconds(5))
        #expect(released.map(\.line) == ["ok"])
        // The first block started when it arrived and ran exactly one second.
        let firstBlockEnd = byteNanoseconds(12, baud: 115_200) + 1_000_000_000
        #expect(released.first?.at == MonotonicInstant(nanoseconds: firstBlockEnd + byteNanoseconds(3, baud: 115_200)))
    }

    @Test func firstMoveIntoAnEmptyPlannerIsHeldBack() {
        var rig = PrinterRig { $0.firstMoveDelay = .milliseconds(100) }
        rig.send("G1 X10 F600\n")
        _ = rig.run(for: .milliseconds(1050))
        #expect(rig.printer.plannedMoveCount == 1)
        _ = rig.run(for: .milliseconds(100))
        #expect(rig.printer.plannedMoveCount == 0)
    }

    @Test func commandsBehindAWaitAreAnsweredInOrderAfterIt() {
        var rig = PrinterRig()
        rig.send("G28\nM105\nG1 X5\n")
        let replies = rig.timedRun(for: .seconds(4))
        #expect(replies.map(\.line) == ["ok", "ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0", "ok"])
        #expect(replies[0].at > MonotonicInstant(nanoseconds: 1_000_000_000))
    }

    @Test func advancedOKReportsLinePlannerAndSlots() {
        var rig = PrinterRig { $0.advancedOK = true }
        rig.sendNumbered(1, "G1 X10 F600")
        #expect(rig.run(for: .milliseconds(100)) == ["ok N1 P14 B3"])
        rig.send("M400\n")
        #expect(rig.run(for: .seconds(2)) == ["ok P15 B3"])
    }

    @Test func advancedOKCountsCommandsStillQueued() {
        var rig = PrinterRig { $0.advancedOK = true }
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        rig.sendNumbered(1, "G90")
        rig.sendNumbered(2, "G90")
        rig.sendNumbered(3, "G90")
        #expect(rig.run(for: .seconds(4)) == ["ok P15 B3", "ok N1 P15 B1", "ok N2 P15 B2", "ok N3 P15 B3"])
    }

    @Test func advancedOKLeavesOutTheNumberBehindLeadingSpaces() {
        var rig = PrinterRig { $0.advancedOK = true }
        rig.send("  " + framed(1, "G90"))
        #expect(rig.run(for: .seconds(1)) == ["ok P15 B3"])
    }

    @Test func advancedOKErrorPathUsesABareOk() {
        var rig = PrinterRig { $0.advancedOK = true }
        rig.send("N1 G90*0\n")
        #expect(rig.run(for: .seconds(1)) == ["Error:checksum mismatch, Last Line: 0", "Resend: 1", "ok"])
    }

    @Test func m105AnswersWithTemperaturesInsteadOfOk() {
        var rig = PrinterRig { $0.advancedOK = true }
        rig.sendNumbered(1, "M105")
        #expect(rig.run(for: .seconds(1)) == ["ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"])
        rig.send("M104 S200\nM140 S60\n")
        _ = rig.run(for: .seconds(1))
        rig.send("M105\n")
        let report = rig.run(for: .seconds(1))
        #expect(report.count == 1)
        #expect(report.first?.hasPrefix("ok T:") == true)
        #expect(report.first?.contains(" /200.00 B:") == true)
        #expect(report.first?.hasSuffix(" /60.00 @:127 B@:127") == true)
    }

    @Test func m115ListsCapabilities() {
        var rig = PrinterRig()
        rig.send("M115\n")
        let lines = rig.run(for: .seconds(1))
        #expect(lines.first?.hasPrefix("FIRMWARE_NAME:Marlin 2.1.2.5 (printedge-sim) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:printedge-sim EXTRUDER_COUNT:1 UUID:") == true)
        #expect(Array(lines.dropFirst()) == [
            "Cap:SERIAL_XON_XOFF:0", "Cap:BINARY_FILE_TRANSFER:0", "Cap:EEPROM:1", "Cap:AUTOREPORT_TEMP:1",
            "Cap:PROGRESS:0", "Cap:AUTOLEVEL:1", "Cap:Z_PROBE:1", "Cap:LEVELING_DATA:1", "Cap:EMERGENCY_PARSER:1",
            "Cap:PROMPT_SUPPORT:0", "Cap:SDCARD:0", "Cap:THERMAL_PROTECTION:1", "Cap:ARCS:1", "Cap:BABYSTEPPING:1",
            "Cap:ADVANCED_OK:0", "ok",
        ])
        var advanced = PrinterRig { $0.advancedOK = true }
        advanced.send("M115\n")
        #expect(advanced.run(for: .seconds(1)).contains("Cap:ADVANCED_OK:1"))
    }

    @Test func unknownCommandIsEchoedWithoutNumberAndChecksum() {
        var rig = PrinterRig()
        rig.sendNumbered(1, "M9999 X1")
        rig.send("G26\n")
        #expect(rig.run(for: .seconds(1)) == [
            "echo:Unknown command: \"M9999 X1\"", "ok", "echo:Unknown command: \"G26\"", "ok",
        ])
        #expect(rig.printer.statistics.unknownCommands == 2)
    }

    @Test func m114ReportsThePlannedPositionAndWhereTheSteppersAre() {
        var rig = PrinterRig()
        rig.send("G1 X10 Y20.5 Z0.3 E1.25 F6000\nM114\nM400\nM114\n")
        let lines = rig.run(for: .seconds(1))
        #expect(lines.count == 6)
        // Right after the move entered the planner, the steppers have barely started.
        let moving = lines.count > 1 ? lines[1] : ""
        #expect(moving.hasPrefix("X:10.00 Y:20.50 Z:0.30 E:1.25 Count X:"))
        #expect(moving != "X:10.00 Y:20.50 Z:0.30 E:1.25 Count X:800 Y:1640 Z:120")
        #expect(Array(lines.dropFirst(2)) == ["ok", "ok", "X:10.00 Y:20.50 Z:0.30 E:1.25 Count X:800 Y:1640 Z:120", "ok"])
    }
}
