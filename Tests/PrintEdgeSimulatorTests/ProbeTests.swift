import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// G30, M48, G35, M851 and M290, and the Z-offset calibration they serve.
@Suite struct ProbeTests {
    @Test func g30PrintsInThe21Format() {
        var rig = PrinterRig.calibration()
        _ = rig.command("G28")
        #expect(rig.command("G30 X110 Y110") == [
            "Bed X: 110.00 Y: 110.00 Z: 0.00", "X:100.00 Y:100.00 Z:5.00 E:0.00 Count X:8000 Y:8000 Z:2000", "ok",
        ])
        #expect(rig.command("G30 X0 Y0") == ["Z Probe Past Bed", "ok"])
    }

    @Test func g30PrintsInTheBugfixFormatAndReturns() {
        var rig = PrinterRig.calibration { $0.marlinVersion = .bugfix }
        #expect(rig.command("G30 X110 Y110") == ["ok"], "bugfix refuses without homing, silently")
        _ = rig.command("G28")
        #expect(rig.command("G30 X110 Y110") == [
            "Bed X:110.00 Y:110.00 Z:0.000", "X:110.00 Y:110.00 Z:5.00 E:0.00 Count X:8800 Y:8800 Z:2000", "ok",
        ])
    }

    @Test func g30MeasuresTheBedUnderTheProbeAndLeavesLevelingOff() {
        var rig = PrinterRig.calibration {
            $0.bedSurface = BedSurface(tiltXPer100MM: 0.25, tiltYPer100MM: 0, bowMillimetres: 0, noiseMillimetres: 0)
            $0.storedSettings?.mesh = mesh(rows: [[0, 0], [0, 0]])
        }
        _ = rig.command("G28")
        _ = rig.command("M420 S1")
        // Homed at probe X 10; X 210 is 0.5 higher.
        #expect(rig.command("G30 X210 Y110").first == "Bed X: 210.00 Y: 110.00 Z: 0.50")
        #expect(rig.command("M420").first == "echo:Bed Leveling OFF")
    }

    @Test func m48ReportsMarlinsStatistics() {
        var rig = PrinterRig.calibration()
        #expect(rig.command("M48") == ["echo:Home XYZ First", "ok"])
        _ = rig.command("G28")
        #expect(rig.command("M48") == [
            "M48 Z-Probe Repeatability Test", "Finished!", "Mean: 0.000000 Min: 0.000 Max: 0.000 Range: 0.000",
            "Standard Deviation: 0.000000", "", "X:0.00 Y:0.00 Z:5.00 E:0.00 Count X:0 Y:0 Z:2000", "ok",
        ])
        #expect(Array(rig.command("M48 P4 V2").prefix(6)) == [
            "M48 Z-Probe Repeatability Test", "1 of 4: z: 0.000 ", "2 of 4: z: 0.000 ", "3 of 4: z: 0.000 ", "4 of 4: z: 0.000 ",
            "Finished!",
        ])
        let verbose = rig.command("M48 P4 V3")
        #expect(Array(verbose.prefix(4)) == [
            "M48 Z-Probe Repeatability Test", "Positioning the probe...", "Bed X: 10.00 Y: 10.00 Z: 0.00",
            "1 of 4: z: 0.000 Mean: 0.000000 Sigma: 0.000000 Min: 0.000 Max: 0.000 Range: 0.000",
        ])
    }

    @Test func m48RefusesImplausibleParameters() {
        var rig = PrinterRig.calibration()
        _ = rig.command("G28")
        #expect(rig.command("M48 P3") == ["M48 Z-Probe Repeatability Test", "?Sample size not plausible (4-50).", "ok"])
        #expect(rig.command("M48 V5") == ["?(V)erbose level implausible (0-4).", "ok"])
        #expect(rig.command("M48 X0 Y0") == ["M48 Z-Probe Repeatability Test", "? (X,Y) out of bounds.", "ok"])
        #expect(rig.command("M48 L16") == ["M48 Z-Probe Repeatability Test", "?Legs of movement implausible (0-15).", "ok"])
    }

    @Test func m48SpreadFollowsTheProbeScatter() throws {
        var rig = PrinterRig.calibration {
            $0.probeScatterMillimetres = 0.01
            $0.seed = 7
        }
        _ = rig.command("G28")
        let lines = rig.command("M48 P50")
        let line = try #require(lines.first { $0.hasPrefix("Standard Deviation: ") })
        let deviation = try #require(Double(line.dropFirst("Standard Deviation: ".count)))
        #expect(deviation > 0.007 && deviation < 0.013)
        var again = PrinterRig.calibration {
            $0.probeScatterMillimetres = 0.01
            $0.seed = 7
        }
        _ = again.command("G28")
        #expect(again.command("M48 P50") == lines, "the same seed, the same samples")
    }

    @Test func g35TellsHowToTurnEachScrewThenForgetsZ() {
        var rig = PrinterRig.calibration {
            $0.bedSurface = BedSurface(tiltXPer100MM: 0.3, tiltYPer100MM: 0, bowMillimetres: 0, noiseMillimetres: 0)
        }
        // The right side stands 0.48 higher at the screws: 0.96 of an M3 turn.
        #expect(rig.command("G35") == [
            "Turn Front-Right CCW by 0 turns and 57 minutes", "Turn Back-Right CCW by 0 turns and 57 minutes",
            "Turn Back-Left CCW by 0 turns", "ok",
        ])
        #expect(rig.command("G35 S31").first == "Turn Front-Right CW by 0 turns and 57 minutes")
        #expect(rig.command("G35 S40").first == "Turn Front-Right CCW by 0 turns and 41 minutes")
        #expect(rig.command("G29") == ["echo:Home Z First", "ok"])
        #expect(rig.command("G35 S32") == ["?(S)crew thread must be 30, 31, 40, 41, 50, or 51.", "ok"])
    }

    @Test func g35AbortsAtAPointOutOfReach() {
        var rig = PrinterRig.calibration()
        _ = rig.command("M851 X-100")
        #expect(rig.command("G35") == ["G35 failed at point 1 (Front-Right) X180.00 Y20.00", "G35 aborted.", "ok"])
    }

    @Test func m851ReportsForReplayAndRefusesOutOfRange() {
        var rig = PrinterRig.calibration()
        #expect(rig.command("M851") == ["  M851 X10.00 Y10.00 Z0.00 ; (mm)", "ok"])
        #expect(rig.command("M851 Z-25 X5") == ["?Z out of range (-20 to 20)", "ok"])
        #expect(rig.command("M851 X300") == ["?X out of range (-220 to 220)", "ok"])
        #expect(rig.command("M851 X-44 Y-9 Z-1.65") == ["ok"])
        #expect(rig.command("M851") == ["  M851 X-44.00 Y-9.00 Z-1.65 ; (mm)", "ok"])
    }

    @Test func m290ClampsAndMovesTheProbeOffset() {
        var rig = PrinterRig.calibration()
        _ = rig.command("G28")
        #expect(rig.command("M290 Z5") == ["echo:Probe Offset Z2.00", "ok"])
        #expect(rig.command("M290 Z-0.1 P0") == ["ok"])
        #expect(rig.command("M290") == ["echo:Probe Offset Z2.00", "Babystep Z1.90", "ok"])
        // The steppers moved, the logical position did not.
        #expect(rig.command("M114") == ["X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:760", "ok"])
        #expect(rig.printer.takeMotionLog().suffix(2) == ["babystep z=2.000", "babystep z=1.900"])
    }

    /// A Z offset 0.3 mm too high, found with a paper test and fixed with M851, or with
    /// babysteps during a first layer and M500: either way Z 0 ends on the bed.
    @Test func zOffsetCalibrationPutsZ0OnTheBed() {
        var rig = PrinterRig.calibration { $0.zOffsetErrorMillimetres = 0.3 }
        _ = rig.command("G28")
        #expect(rig.printer.takeMotionLog().last == "home X Y Z z=0.300", "logical Z 0 is 0.3 above the bed")
        _ = rig.command("G1 Z-0.3 F600")
        #expect(rig.printer.takeMotionLog().last?.contains(" z1=0.000 ") == true)
        _ = rig.command("M851 Z-0.3")
        _ = rig.command("G28")
        _ = rig.command("G1 Z0")
        #expect(rig.printer.takeMotionLog().last?.contains(" z1=0.000 ") == true)

        var babystepped = PrinterRig.calibration { $0.zOffsetErrorMillimetres = 0.3 }
        _ = babystepped.command("G28")
        _ = babystepped.printer.takeMotionLog()
        _ = babystepped.command("G1 Z0.2 F600")
        #expect(babystepped.command("M290 Z-0.3") == ["echo:Probe Offset Z-0.30", "ok"])
        let log = babystepped.printer.takeMotionLog()
        #expect(log.last == "babystep z=0.200")
        _ = babystepped.command("M500")
        _ = babystepped.resetBoard() + babystepped.runUntilIdle()
        _ = babystepped.command("G28")
        _ = babystepped.command("G1 Z0")
        let after = babystepped.printer.takeMotionLog()
        #expect(after.last?.contains(" z1=0.000 ") == true, "\(after)")
        #expect(babystepped.printer.statistics.nozzleBelowBed == 0, "\(log) \(after)")
    }
}
