import Testing
@testable import PrintEdgeCalibration
import PrintEdgeCore

@Suite struct ProbeOutputTests {
    @Test func readsG30InThe21AndTheBugfixFormat() {
        // 2.0.9.5 – 2.1.2.7: blanks after the colons, Z with 2 decimals.
        #expect(ProbeReading(line: "Bed X: 110.00 Y: 110.00 Z: 0.14") == ProbeReading(xMM: 110, yMM: 110, zMM: 0.14))
        // bugfix-2.1.x since #26255 (October 2023): no blanks, Z with 3 decimals.
        #expect(ProbeReading(line: "Bed X:110.00 Y:110.00 Z:0.143") == ProbeReading(xMM: 110, yMM: 110, zMM: 0.143))
        #expect(ProbeReading(line: "Bed X:-5.00 Y:30.00 Z:-0.020") == ProbeReading(xMM: -5, yMM: 30, zMM: -0.02))
    }

    @Test func refusesAnythingElseAndDamagedG30Lines() {
        #expect(ProbeReading(line: "X:110.00 Y:110.00 Z:5.00 E:0.00 Count X:8800 Y:8800 Z:2000") == nil)
        #expect(ProbeReading(line: "Bed X: 110.00 Y: 110.00 Z:") == nil)
        #expect(ProbeReading(line: "Bed X: 110.00 Y: 11#.00 Z: 0.14") == nil)
    }

    @Test func readsTheCapturedM48Summary() throws {
        var parser = ProbeRepeatabilityParser()
        var events: [ProbeRepeatabilityParser.Event] = []
        for line in FirmwareSamples.lines(FirmwareSamples.probeRepeatability) { parser.consume(line).map { events.append($0) } }
        let expected = ProbeRepeatability(meanMM: -0.05125, minimumMM: -0.436, maximumMM: -0.008, rangeMM: 0.429, standardDeviationMM: 0.128335)
        #expect(try parser.result() == expected)
        #expect(events == [.finished(expected)])
    }

    @Test func readsEachSampleAtVerbosityTwoAndIgnoresTheRunningFiguresOfVerbosityThree() throws {
        // Derived: M48.cpp prints `<n> of <P>: z: <z>` (V2) and, with V3, running
        // ` Mean: … Sigma: … Min: … Max: … Range: …` on the same line.
        var parser = ProbeRepeatabilityParser()
        #expect(parser.consume("M48 Z-Probe Repeatability Test") == nil)
        #expect(parser.consume("1 of 4: z: 0.012 ") == .sample(number: 1, count: 4, zMM: 0.012))
        #expect(parser.consume("2 of 4: z: 0.015 Mean: 0.013500 Sigma: 0.001500 Min: 0.012 Max: 0.015 Range: 0.003") == .sample(number: 2, count: 4, zMM: 0.015))
        _ = parser.consume(" T:25.00 /0.00 B:24.00 /0.00 @:0 B@:0")
        _ = parser.consume("3 of 4: z: 0.010 ")
        _ = parser.consume("4 of 4: z: 0.013 ")
        _ = parser.consume("Finished!")
        _ = parser.consume("Mean: 0.012500 Min: 0.010 Max: 0.015 Range: 0.005")
        _ = parser.consume("Standard Deviation: 0.001803")
        let result = try parser.result()
        #expect(result.samplesMM == [0.012, 0.015, 0.010, 0.013])
        #expect(result.rangeMM == 0.005)
    }

    @Test func m48RefusalsAndFailuresAreReported() {
        for line in ["?Sample size not plausible (4-50).", "echo:Home XYZ First", "? (X,Y) out of bounds.", "Error:Probing Failed", "?"] {
            var parser = ProbeRepeatabilityParser()
            guard case .failed? = parser.consume(line) else {
                Issue.record("\(line) must end the test")
                continue
            }
            #expect(throws: CalibrationParseError.self) { try parser.result() }
        }
    }

    @Test func anM48SummaryCutShortIsAnError() {
        var parser = ProbeRepeatabilityParser()
        _ = parser.consume("Finished!")
        _ = parser.consume("Mean: -0.051250 Min: -0.436 Max: -0.008 Range: 0.429")
        #expect(throws: CalibrationParseError.cutShort(what: "M48's summary", detail: "`Finished!` came but not the mean and standard deviation")) {
            try parser.result()
        }
        var damaged = ProbeRepeatabilityParser()
        _ = damaged.consume("Finished!")
        _ = damaged.consume("Mean: -0.051250 Min: -0.436 Max: -0.0#8 Range: 0.429")
        _ = damaged.consume("Standard Deviation: 0.128335")
        #expect(throws: CalibrationParseError.self) { try damaged.result() }
        var lost = ProbeRepeatabilityParser()
        _ = lost.consume("1 of 4: z: 0.012 ")
        _ = lost.consume("3 of 4: z: 0.010 ")
        #expect(throws: CalibrationParseError.cutShort(what: "M48's samples", detail: "sample 3 came after sample 1: a line was lost")) { try lost.result() }
    }

    @Test func judgesRepeatabilityByRangeAsKlipperDoes() {
        let good = ProbeRepeatability(meanMM: 0, minimumMM: 0, maximumMM: 0.025, rangeMM: 0.025, standardDeviationMM: 0.008)
        #expect(ProbeAccuracyVerdict(good).isAccurateEnough)
        let bad = ProbeRepeatability(meanMM: -0.05125, minimumMM: -0.436, maximumMM: -0.008, rangeMM: 0.429, standardDeviationMM: 0.128335)
        let verdict = ProbeAccuracyVerdict(bad)
        #expect(!verdict.isAccurateEnough)
        #expect(verdict.explanation.hasPrefix("the probe is not repeatable enough to level with: its readings span 0.429 mm, more than 0.025 mm"))
    }

    @Test func readsTheProbeOffsetFromM851M503AndM290() {
        // M851's own reply has no `echo:` (M851_report(forReplay=true)); M503's has.
        #expect(ProbeOffset(line: "  M851 X-44.00 Y-9.00 Z-1.65 ; (mm)") == ProbeOffset(xMM: -44, yMM: -9, zMM: -1.65))
        #expect(ProbeOffset(line: "echo:  M851 X-44.00 Y-9.00 Z-1.65 ; (mm)") == ProbeOffset(xMM: -44, yMM: -9, zMM: -1.65))
        #expect(ProbeOffset(line: "echo:  M851 X0 Y0 Z-2.10") == ProbeOffset(xMM: 0, yMM: 0, zMM: -2.1))
        // M290 with BABYSTEP_ZPROBE_OFFSET.
        #expect(ProbeOffset(line: "echo:Probe Offset Z-1.63") == ProbeOffset(zMM: -1.63))
        #expect(ProbeOffset(line: "echo:Probe Offset Z: -1.63") == ProbeOffset(zMM: -1.63))
        #expect(ProbeOffset(line: "echo:  M851 X-44.00 Y-9.00") == nil)
        #expect(ProbeOffset(line: "ok") == nil)
    }

    @Test func readsM114WithAndWithoutStepCounts() {
        #expect(FirmwarePosition(parsing: "X:110.00 Y:110.00 Z:5.00 E:0.00 Count X:8800 Y:8800 Z:2000")
            == FirmwarePosition(xMM: 110, yMM: 110, zMM: 5, eMM: 0))
        // Delta printers count A, B, C; some builds put a blank after the colon.
        #expect(FirmwarePosition(parsing: "X:0.00 Y:0.00 Z:250.00 E:0.00 Count A: 100 B:100 C:100")?.zMM == 250)
        #expect(FirmwarePosition(parsing: "X:-3.50 Y:12.25 Z:0.30")?.eMM == nil)
        #expect(FirmwarePosition(parsing: "X:110.00 Y:1#0.00 Z:5.00") == nil)
        #expect(FirmwarePosition(parsing: "Bed X: 110.00 Y: 110.00 Z: 0.14") == nil)
        #expect(FirmwarePosition(parsing: "X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0")?.isPowerOnOrigin == true)
    }

    @Test func readsTheLevelingState() {
        var state = LevelingState()
        state.consume("echo:Bed Leveling ON")
        state.consume("echo:Fade Height 10.00")
        #expect(state == LevelingState(isEnabled: true, fadeHeightMM: 10))
        state.consume("echo:Fade Height OFF")
        #expect(state.fadeHeightMM == 0)
        var refused = LevelingState()
        refused.consume("echo:Invalid mesh.")
        refused.consume("Error:Failed to enable Bed Leveling")
        #expect(refused == LevelingState(isEnabled: false, hasValidMesh: false))
        var reported = LevelingState()
        reported.consume("echo:  M420 S1 Z10.00 ; Leveling ON")
        #expect(reported == LevelingState(isEnabled: true, fadeHeightMM: 10))
    }

    @Test func readsG35sTurns() throws {
        // Derived: G35.cpp prints `Turn <name> <CW|CCW> by <n> turns[ and <m> minutes][ (<mm>mm)]`.
        var report = AssistedTrammingReport()
        report.consume("Turn Front-Right CCW by 0 turns and 15 minutes (0.13mm)")
        report.consume("Turn Back-Right CW by 1 turns")
        report.consume(" T:25.00 /0.00 B:24.00 /0.00 @:0 B@:0")
        report.consume("Turn Back-Left CW by 0 turns and 2 minutes (-0.02mm)")
        let turns = try report.result()
        #expect(turns.count == 3)
        #expect(turns[0] == AssistedTrammingReport.Turn(pointName: "Front-Right", direction: .counterClockwise, fullTurns: 0, minutes: 15, differenceMM: 0.13))
        #expect(turns[0].turns == 0.25)
        #expect(turns[1] == AssistedTrammingReport.Turn(pointName: "Back-Right", direction: .clockwise, fullTurns: 1, minutes: 0, differenceMM: nil))
        #expect(turns[2].differenceMM == -0.02)
    }

    @Test func g35FailuresAndDamageAreErrors() {
        var failed = AssistedTrammingReport()
        failed.consume("G35 failed at point 1 (Front-Right) X195.00 Y20.00")
        failed.consume("G35 aborted.")
        #expect(throws: CalibrationParseError.firmwareRefused(what: "G35", message: "G35 failed at point 1 (Front-Right) X195.00 Y20.00")) { try failed.result() }
        var thread = AssistedTrammingReport()
        thread.consume("?(S)crew thread must be 30, 31, 40, 41, 50, or 51.")
        #expect(throws: CalibrationParseError.self) { try thread.result() }
        var damaged = AssistedTrammingReport()
        damaged.consume("Turn Front-Right CCW by 0 turns and 7# minutes")
        #expect(throws: CalibrationParseError.self) { try damaged.result() }
        #expect(throws: CalibrationParseError.missing(what: "G35", detail: "it printed no `Turn …` line")) { try AssistedTrammingReport().result() }
    }
}
