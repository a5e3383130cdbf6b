import Testing
@testable import PrintEdgeCore

@Suite struct GCodeMachineStateTests {
    @Test func wordsWithoutBlanksReadLikeSpacedWords() {
        let packed = machineState(after: ["G1X10Y5Z0.3E1F1200"])
        let spaced = machineState(after: ["G1 X10 Y5 Z0.3 E1 F1200"])
        #expect(packed == spaced)
        #expect(packed.position == .init(xMM: 10, yMM: 5, zMM: 0.3, eMM: 1))
        #expect(packed.feedrateMMPerMinute == 1200)
        #expect(packed.knownAxes == .all)
    }

    @Test func lowercaseCommandsAreReadAsMarlinDoesByDefault() {
        #expect(machineState(after: ["g1 x5 y-2.5"]).position == .init(xMM: 5, yMM: -2.5))
    }

    @Test func numbersWithoutLeadingDigitOrWithPlusSignParse() {
        #expect(machineState(after: ["G1 X.5 Y+3 Z-.25"]).position == .init(xMM: 0.5, yMM: 3, zMM: -0.25))
    }

    @Test func relativePositioningAddsToThePositionAndMakesExtrusionRelative() {
        let state = machineState(after: ["G92 E0", "G91", "G1 X5 E1", "G1 X5 E1"])
        #expect(state.positioning == .relative)
        #expect(state.extrusion == .relative)
        #expect(state.position == .init(xMM: 10, eMM: 2))
    }

    @Test func absolutePositioningMakesExtrusionAbsoluteAgainLikeMarlin() {
        // Marlin's G90 calls set_relative_mode(false), which clears M83 too.
        let state = machineState(after: ["M83", "G90"])
        #expect(state.extrusion == .absolute)
        #expect(machineState(after: ["G90", "M83"]).extrusion == .relative)
    }

    @Test func relativeExtrusionLeavesAxesAbsolute() {
        let state = machineState(after: ["G90", "M83", "G1 X10 E1", "G1 X20 E1.5"])
        #expect(state.position == .init(xMM: 20, eMM: 2.5))
        #expect(state.positioning == .absolute)
    }

    @Test func setPositionChangesLogicalCoordinatesAndKeepsNativeOnes() {
        let state = machineState(after: ["G28", "G1 X10 Y10 Z5 E3", "G92 X0 Z1 E0"])
        #expect(state.position == .init(xMM: 0, yMM: 10, zMM: 1, eMM: 0))
        #expect(state.nativeXMM == 10)
        #expect(state.nativeZMM == 5)
        let moved = machineState(after: ["G1 X5"], from: state)
        #expect(moved.nativeXMM == 15)
    }

    @Test func setPositionWithoutArgumentsChangesNothing() {
        let before = machineState(after: ["G1 X10 E2"])
        #expect(machineState(after: ["G92"], from: before) == before)
    }

    @Test func homingZeroesTheNamedAxesAndClearsTheirShift() {
        let shifted = machineState(after: ["G1 X50 Y60 Z7", "G92 X5 Y5"])
        let homedX = machineState(after: ["G28 X"], from: shifted)
        #expect(homedX.position.xMM == 0)
        #expect(homedX.originShift.xMM == 0)
        #expect(homedX.position.yMM == 5)
        #expect(homedX.originShift.yMM == -55)
        #expect(homedX.homedAxes == .x)
        let homedAll = machineState(after: ["G28"], from: homedX)
        #expect(homedAll.homedAxes == .all)
        #expect(homedAll.position == .init(eMM: 0))
        #expect(homedAll.originShift.isZero)
    }

    @Test func relativeMovesOnAnUnknownAxisLeaveItUnknown() {
        let state = machineState(after: ["G91", "G1 X10", "G90", "G1 Y5"])
        #expect(state.knownAxes == .y)
        #expect(machineState(after: ["G28 X", "G91", "G1 X10"]).knownAxes == .x)
    }

    @Test func heaterTargetsFollowToolIndexAndWaitingForms() {
        let state = machineState(after: ["M104 S210", "M104 T1 S200", "M109 R215", "M140 S60", "M190 R55", "M141 S40"])
        #expect(state.hotendTargetsCelsius == [215, 200])
        #expect(state.bedTargetCelsius == 55)
        #expect(state.chamberTargetCelsius == 40)
    }

    @Test func toolChangeRedirectsHotendCommandsWithoutT() {
        let state = machineState(after: ["T1", "M104 S230"])
        #expect(state.activeTool == 1)
        #expect(state.hotendTargetsCelsius == [0, 230])
    }

    @Test func fanSpeedsFollowMarlinDefaultsAndClamp() {
        #expect(machineState(after: ["M106"]).fanSpeeds == [255])
        #expect(machineState(after: ["M106 S127.5"]).fanSpeeds == [128])
        #expect(machineState(after: ["M106 S300"]).fanSpeeds == [255])
        #expect(machineState(after: ["M106 S200", "M106 P1 S100", "M107"]).fanSpeeds == [0, 100])
        #expect(machineState(after: ["M106 P1 S100", "M107 P1"]).fanSpeeds == [0, 0])
    }

    @Test func overridesAreKept() {
        let state = machineState(after: ["M220 S90", "M221 S95"])
        #expect(state.feedratePercent == 90)
        #expect(state.flowPercent == 95)
    }

    @Test func inchesAreConvertedToMillimetres() {
        let state = machineState(after: ["G20", "G1 X1 Y0.5 F10"])
        #expect(state.units == .inches)
        #expect(isClose(state.position.xMM, 25.4))
        #expect(isClose(state.position.yMM, 12.7))
        #expect(isClose(state.feedrateMMPerMinute, 254))
        #expect(machineState(after: ["G21"], from: state).units == .millimetres)
    }

    @Test func garbageNumbersAndUnknownCommandsChangeNothing() {
        let start = machineState(after: ["G1 X1 Y2 Z3 E4 F1000"])
        let garbage = ["G1 X1.2.3", "G1 Xabc", "G1 X--1", "G1 X99999999999999999999999", "G1 F0", "G1 F-5", "M104 S",
                       "M104 S-20", "hello", "X10 Y10", "G", "M117 X100 Y100", "G999 X5", "T99", "M106 P99 S10",
                       "G92.1"]
        #expect(machineState(after: garbage, from: start) == start)
    }

    @Test func longNumbersKeepTheirFirstFifteenDigits() {
        let state = machineState(after: ["G1 X0.00000000000000000001 Y12.345678901234567890123 Z000000000000000000000007"])
        #expect(state.position.xMM == 0)
        #expect(isClose(state.position.yMM, 12.345678901234567, within: 1e-12))
        #expect(state.position.zMM == 7)
    }

    @Test func randomBytesNeverTrapTheAnalysis() {
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Array("GMTXYZEFSRIJP0123456789.-+ ;(*".utf8) + [0x00, 0x7F, 0xFF, UInt8(ascii: "\r")]
        var analyzer = GCodeAnalyzer(options: .init(limits: MachineLimits(xMM: 0...200, yMM: 0...200, zMM: 0...200,
                                                                         maxHotendCelsius: 260, maxBedCelsius: 100)))
        var offset = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            var line = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            if Bool.random(using: &generator) { line = Array("G1 ".utf8) + line }
            analyzer.consume(rawLine: line, byteOffset: offset)
            offset += line.count + 1
        }
        analyzer.consume(rawLine: Array("G1 X999999999999999 F0.000000000000001".utf8), byteOffset: offset)
        analyzer.consume(rawLine: Array("; estimated printing time (normal mode) = 999999999999999d".utf8), byteOffset: offset + 40)
        let analysis = analyzer.finish()
        #expect(analysis.sourceLines == 20_002)
        #expect(analysis.filamentMM.isFinite)
        #expect(analysis.estimatedDuration >= .zero)
    }

    @Test func arcsEndAtTheirDestination() {
        let state = machineState(after: ["G1 X0 Y0", "G2 X10 Y0 I5 J0 E1"])
        #expect(state.position == .init(xMM: 10, yMM: 0, eMM: 1))
        let radiusForm = machineState(after: ["G1 X0 Y0", "G3 X10 Y10 R10"])
        #expect(radiusForm.position == .init(xMM: 10, yMM: 10))
    }

    @Test func arcsWithoutACenterAreRejectedAsMarlinDoes() {
        let start = machineState(after: ["G1 X0 Y0"])
        let state = machineState(after: ["G2 X10 Y0 E1 F900"], from: start)
        #expect(state.position == start.position)
        #expect(state.feedrateMMPerMinute == 900)
    }
}

@Suite struct ExtrusionTrackingTests {
    @Test func movesReportTheFilamentTheyFeedAndResetsReportNone() {
        var state = GCodeMachineState()
        func extrusion(_ line: String) -> Double { state.extrusion(applying: Array(line.utf8)) }
        #expect(extrusion("G1 X10 E2.5") == 2.5)
        #expect(extrusion("G1 E1.5") == -1, "a retraction is negative")
        #expect(extrusion("G92 E0") == 0, "a reset moves no filament")
        #expect(extrusion("M83") == 0)
        #expect(extrusion("G1 X20 E0.75") == 0.75, "relative extrusion")
        #expect(extrusion("G0 X30") == 0)
    }
}
