import Testing
@testable import PrintEdgeCore

@Suite struct ResumePrologueTests {
    /// A state in the middle of a print with everything non-default that a prologue restores.
    private static let midPrint = machineState(after: [
        "M140 S60", "M104 S215", "G28", "G90", "M83", "M106 S180", "M106 P1 S90", "M220 S110", "M221 S95",
        "G1 X120.123456 Y-1.5 Z12.4 F7200", "G1 X121 E12345.678912 F1800",
    ])

    private func lines(_ state: GCodeMachineState, _ situation: ResumePrologue.Situation, printedHeightMM: Double? = nil) -> [String] {
        ResumePrologue.lines(toResume: state, options: .init(situation: situation, printedHeightMM: printedHeightMM))
    }

    private func expectRestored(_ replayed: GCodeMachineState, _ original: GCodeMachineState, situation: ResumePrologue.Situation) {
        #expect(isClose(replayed.position.xMM, original.position.xMM, within: 0.0005))
        #expect(isClose(replayed.position.yMM, original.position.yMM, within: 0.0005))
        #expect(isClose(replayed.position.zMM, original.position.zMM, within: 0.0005))
        #expect(isClose(replayed.position.eMM, original.position.eMM, within: 0.0005))
        #expect(isClose(replayed.nativeXMM, original.nativeXMM, within: 0.0005))
        #expect(isClose(replayed.nativeYMM, original.nativeYMM, within: 0.0005))
        #expect(replayed.positioning == original.positioning)
        #expect(replayed.extrusion == original.extrusion)
        #expect(replayed.units == original.units)
        #expect(isClose(replayed.feedrateMMPerMinute, original.feedrateMMPerMinute, within: 0.0005))
        #expect(replayed.hotendTargetsCelsius == original.hotendTargetsCelsius)
        #expect(replayed.bedTargetCelsius == original.bedTargetCelsius)
        #expect(replayed.fanSpeeds == original.fanSpeeds)
        #expect(replayed.activeTool == original.activeTool)
        if situation == .afterCrash {
            #expect(replayed.feedratePercent == original.feedratePercent)
            #expect(replayed.flowPercent == original.flowPercent)
        }
    }

    @Test func everyLinePassesPreflight() throws {
        var odd = Self.midPrint
        odd.position.eMM = -0.000_4
        odd.hotendTargetsCelsius = [215.4, 180]
        odd.activeTool = 1
        for state in [Self.midPrint, odd] {
            for situation in [ResumePrologue.Situation.afterCrash, .afterPause] {
                var preflight = GCodePreflight()
                for line in lines(state, situation) {
                    let command = try preflight.check(rawLine: Array(line.utf8))
                    #expect(command == Array(line.utf8), "\(line) is sent as written")
                    #expect(!line.contains("e") && !line.contains("-0 ") && !line.hasSuffix("-0"), "\(line)")
                }
            }
        }
    }

    @Test func afterACrashAResetPrinterEndsInTheResumeState() {
        let prologue = lines(Self.midPrint, .afterCrash)
        let replayed = machineState(after: prologue)
        expectRestored(replayed, Self.midPrint, situation: .afterCrash)
        #expect(replayed.homedAxes == [.x, .y])
    }

    @Test func afterACrashZIsDeclaredNeverHomedAndHeatingWaitsComeFirst() throws {
        let prologue = lines(Self.midPrint, .afterCrash)
        #expect(prologue.filter { $0.hasPrefix("G28") } == ["G28 X Y"])
        let declareZ = try #require(prologue.firstIndex(of: "G92 Z12.4"))
        let homeXY = try #require(prologue.firstIndex(of: "G28 X Y"))
        let waitHotend = try #require(prologue.firstIndex(of: "M109 S215"))
        let waitBed = try #require(prologue.firstIndex(of: "M190 S60"))
        let firstMove = try #require(prologue.firstIndex { $0.hasPrefix("G1 ") })
        #expect(waitBed < waitHotend && waitHotend < declareZ && declareZ < firstMove && firstMove < homeXY)
        #expect(prologue[firstMove] == "G1 Z14.4 F600")
    }

    @Test func afterAPauseTheHeadReturnsFromItsParkingPlaceWithoutHoming() {
        let prologue = lines(Self.midPrint, .afterPause)
        #expect(!prologue.contains { $0.hasPrefix("G28") || $0.hasPrefix("G92 Z") })
        let parked = machineState(after: ["G1 X0 Y200 Z40 F6000", "M104 S0", "M107", "G1 E-5"], from: Self.midPrint)
        expectRestored(machineState(after: prologue, from: parked), Self.midPrint, situation: .afterPause)
    }

    @Test func relativeModesAndInchesAreRestoredLast() {
        let state = machineState(after: ["G28", "G1 Z0.4", "G91", "M82", "G20", "G1 F120"])
        let prologue = lines(state, .afterCrash)
        #expect(Array(prologue.suffix(4)) == ["G1 F3048", "G91", "M82", "G20"])
        expectRestored(machineState(after: prologue), state, situation: .afterCrash)
    }

    @Test func shiftedXYOriginsAreShiftedAgainAfterHoming() {
        let state = machineState(after: ["G28", "G1 X100 Y50 Z3", "G92 X0 Y0"])
        let prologue = lines(state, .afterCrash)
        #expect(prologue.contains("G1 X100 Y50 F3000"))
        #expect(prologue.contains("G92 X0 Y0"))
        expectRestored(machineState(after: prologue), state, situation: .afterCrash)
    }

    @Test func travelClearsTheHighestPrintedPart() {
        let state = machineState(after: ["G28", "G1 X10 Y10 Z0.2"])
        #expect(lines(state, .afterCrash, printedHeightMM: 30).contains("G1 Z32 F600"))
        #expect(lines(state, .afterPause).contains("G1 Z2.2 F600"))
    }

    @Test func eachHotendIsNamedWhenThereAreSeveral() {
        let state = machineState(after: ["M104 T0 S200", "M104 T1 S240", "T1", "G28"])
        let prologue = lines(state, .afterCrash)
        #expect(prologue.contains("M109 T0 S200") && prologue.contains("M109 T1 S240"))
        #expect(prologue.contains("T1"))
        expectRestored(machineState(after: prologue), state, situation: .afterCrash)
    }

    @Test func primingPushesFilamentAndThenRestoresE() throws {
        let options = ResumePrologue.Options(situation: .afterPause, primeLengthMM: 2)
        let prologue = ResumePrologue.lines(toResume: Self.midPrint, options: options)
        let prime = try #require(prologue.firstIndex(of: "G1 E2 F300"))
        let restore = try #require(prologue.firstIndex(of: "G92 E12345.679"))
        #expect(prime < restore)
    }

    @Test func numbersAreShortFixedPoint() {
        #expect(GCodeDecimal.text(10) == "10")
        #expect(GCodeDecimal.text(0.2) == "0.2")
        #expect(GCodeDecimal.text(-1.5) == "-1.5")
        #expect(GCodeDecimal.text(-0.0001) == "0")
        #expect(GCodeDecimal.text(0.0000001) == "0")
        #expect(GCodeDecimal.text(0.05) == "0.05")
        #expect(GCodeDecimal.text(123_456.789_1) == "123456.789")
        #expect(GCodeDecimal.text(1e20) == "100000000000000000000")
        #expect(GCodeDecimal.text(214.6, decimals: 0) == "215")
    }
}
