import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// Logical versus physical position: G92, G28, resets and quick stops, as the motion log
/// and M114 show them.
@Suite struct PhysicalPositionTests {
    private func rig() -> PrinterRig {
        PrinterRig { $0.recordsMotionLog = true }
    }

    /// The `key=value` fields of a motion-log line.
    private func fields(_ line: String) -> [String: String] {
        var result: [String: String] = [:]
        for token in line.split(separator: " ") {
            let parts = token.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    @Test func g92ShiftsTheWorkspaceAndTheNozzleStays() {
        var rig = rig()
        rig.send("G28\nG92 Z10\nM114\n")
        _ = rig.runUntilIdle()
        #expect(rig.printer.takeMotionLog() == ["home X Y Z z=0.000"])
        rig.sendNumbered(1, "G1 Z5 F300")
        rig.send("M400\nM114\n")
        let lines = rig.runUntilIdle()
        #expect(lines.contains("X:0.00 Y:0.00 Z:5.00 E:0.00 Count X:0 Y:0 Z:-2000"))
        #expect(rig.printer.takeMotionLog() == ["move N1 z0=0.000 z1=-5.000 x=0.000 y=0.000 e=0.000 lz=5.000"])
        let statistics = rig.printer.statistics
        #expect(statistics.nozzleBelowBed == 1)
        #expect(statistics.lowestZMillimetres == -5)
    }

    @Test func homingAnAxisClearsItsShiftOnly() {
        var rig = rig()
        rig.send("G28\nG92 X50 Y50\nG28 X\nM114\n")
        let lines = rig.runUntilIdle()
        #expect(lines.contains("X:0.00 Y:50.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0"))
        #expect(rig.printer.takeMotionLog() == ["home X Y Z z=0.000", "home X z=0.000"])
        rig.send("G1 Y60 F6000\n")
        _ = rig.runUntilIdle()
        #expect(rig.printer.takeMotionLog() == ["move N- z0=0.000 z1=0.000 x=0.000 y=10.000 e=0.000 lz=0.000"])
    }

    @Test func extrusionIsLoggedAsFilamentPushed() {
        var rig = rig()
        rig.send("G28\nG1 Z0.2 F600\nG1 X20 E1.5 F1200\nG92 E0\nG1 E-0.5 F1800\nM83\nG1 X40 E2\n")
        _ = rig.runUntilIdle()
        #expect(rig.printer.takeMotionLog() == [
            "home X Y Z z=0.000",
            "move N- z0=0.000 z1=0.200 x=0.000 y=0.000 e=0.000 lz=0.200",
            "move N- z0=0.200 z1=0.200 x=20.000 y=0.000 e=1.500 lz=0.200",
            "move N- z0=0.200 z1=0.200 x=20.000 y=0.000 e=-0.500 lz=0.200",
            "move N- z0=0.200 z1=0.200 x=40.000 y=0.000 e=2.000 lz=0.200",
        ])
        #expect(rig.printer.statistics.filamentPushedMillimetres == 3)
        #expect(rig.printer.statistics.nozzleBelowBed == 0)
        #expect(rig.printer.statistics.lowestZMillimetres == 0)
    }

    @Test func aResetLosesThePositionButNotTheNozzle() throws {
        var rig = rig()
        rig.send("G28\nG1 Z10 F600\nM400\n")
        _ = rig.runUntilIdle()
        _ = rig.printer.takeMotionLog()
        rig.sendNumbered(1, "G1 Z0 F300")  // 2 s at 5 mm/s
        rig.sendNumbered(2, "G1 X50")  // still in the planner at the reset: lost
        _ = rig.run(for: .seconds(1))
        let banner = rig.resetBoard() + rig.run(for: .seconds(1))
        #expect(banner.first == "start")
        let log = rig.printer.takeMotionLog()
        try #require(log.count == 2)
        let cut = fields(log[0])
        #expect(log[0].hasPrefix("move N1 z0=10.000 "))
        #expect(log[0].hasSuffix(" cut"))
        #expect(cut["x"] == "0.000")
        let stoppedAt = try #require(cut["z1"])
        #expect(log[1] == "reset z=\(stoppedAt)")
        let stoppedZ = try #require(Double(stoppedAt))
        #expect(stoppedZ > 0 && stoppedZ < 10)

        // Marlin boots at logical 0 where the nozzle stopped; moves go from there.
        rig.send("M114\nG1 Z-3 F300\nM400\nM114\n")
        let lines = rig.runUntilIdle()
        #expect(lines.first == "X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0")
        #expect(lines.contains("X:0.00 Y:0.00 Z:-3.00 E:0.00 Count X:0 Y:0 Z:-1200"))
        let move = try #require(rig.printer.takeMotionLog().first)
        #expect(fields(move)["z0"] == stoppedAt)
        #expect(fields(move)["z1"] == VirtualMarlinTestFormat.millimetres(stoppedZ - 3))
        #expect(rig.printer.statistics.resets == 1)
    }

    @Test func resetAfterLinesLogsTheResetWhereTheNozzleIs() {
        var rig = PrinterRig {
            $0.recordsMotionLog = true
            $0.resetAfterLines = 2
        }
        rig.sendNumbered(1, "G28")
        rig.sendNumbered(2, "G1 Z7 F6000")
        _ = rig.runUntilIdle()
        // The reset comes as N2's ok is printed, before its move ran: Z 7 was lost.
        #expect(rig.printer.takeMotionLog() == ["home X Y Z z=0.000", "reset z=0.000"])
    }

    @Test func quickStopTakesThePositionFromWhereTheNozzleStopped() throws {
        var rig = rig()
        rig.send("G28\nG92 X100\nG1 X0 F600\n")  // 100 mm at 10 mm/s: physically to X -100
        _ = rig.run(for: .seconds(2))
        rig.send("M410\nM114\n")
        let lines = rig.run(for: .seconds(1))
        let report = try #require(lines.first { $0.hasPrefix("X:") })
        let log = rig.printer.takeMotionLog()
        let cut = try #require(log.last)
        #expect(cut.hasSuffix(" cut"))
        let physicalX = try #require(Double(fields(cut)["x"] ?? ""))
        #expect(physicalX < 0 && physicalX > -100)
        // Logical is physical plus the G92 shift of 100.
        #expect(report.hasPrefix("X:\(VirtualMarlinTestFormat.fixed2(physicalX + 100)) Y:0.00 Z:0.00"))
    }

    @Test func aHaltCutsTheMoveAndAResetRevivesTheBoard() {
        var rig = rig()
        rig.send("G28\nG1 X100 F600\n")
        _ = rig.run(for: .seconds(4))
        rig.send("M112\n")
        #expect(rig.run(for: .seconds(1)) == ["Error:Printer halted. kill() called!"])
        #expect(rig.printer.takeMotionLog().last?.hasSuffix(" cut") == true)
        _ = rig.resetBoard()
        #expect(!rig.printer.halted)
        rig.send("M105\n")
        let lines = rig.run(for: .seconds(1))
        #expect(lines.last == "ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0", "\(lines)")
    }

    @Test func statisticsCarryThePhysicalCounters() {
        var rig = rig()
        rig.send("G28\nG1 Z-0.25 F600\n")
        _ = rig.runUntilIdle()
        let json = rig.printer.statistics.json
        #expect(json.contains("\"nozzle_below_bed\": 1, \"lowest_z_mm\": -0.250000, \"filament_pushed_mm\": 0.000000, \"bytes_received_during_autotune\": 0, \"bed_screw_turns\": 0}"))
    }
}

/// The number formats the tests compare against, written out independently of the model.
enum VirtualMarlinTestFormat {
    static func millimetres(_ value: Double) -> String {
        let thousandths = Int64((abs(value) * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return (value < 0 && thousandths > 0 ? "-" : "") + String(thousandths / 1000) + "."
            + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func fixed2(_ value: Double) -> String {
        let hundredths = Int64((abs(value) * 100).rounded())
        let fraction = String(hundredths % 100)
        return (value < 0 && hundredths > 0 ? "-" : "") + String(hundredths / 100) + "."
            + String(repeating: "0", count: 2 - fraction.count) + fraction
    }
}
