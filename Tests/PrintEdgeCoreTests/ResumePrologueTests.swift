import Testing
@testable import PrintEdgeCore

@Suite struct ResumePrologueTests {
    /// A state in the middle of a print with everything non-default that a prologue restores.
    private static let midPrint = machineState(after: [
        "M140 S60", "M104 S215", "G28", "G90", "M83", "M106 S180", "M106 P1 S90", "M220 S110", "M221 S95",
        "G1 X120.123456 Y-1.5 Z12.4 F7200", "G1 X121 E12345.678912 F1800",
    ])

    private func lines(_ state: GCodeMachineState, _ situation: ResumePrologue.Situation, printedHeightMM: Double? = nil) -> [String] {
        (try? ResumePrologue.lines(toResume: state, options: .init(situation: situation, printedHeightMM: printedHeightMM))) ?? []
    }

    /// A crash where the printer was reset with the head at the resume state's own height.
    private func lostAt(_ state: GCodeMachineState) -> ResumePrologue.Situation {
        .positionLost(declaredZMM: state.position.zMM)
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
        if situation != .afterPause {
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
            for situation in [lostAt(state), .positionKept(zMM: state.position.zMM + 0.2), .afterPause] {
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
        let prologue = lines(Self.midPrint, lostAt(Self.midPrint))
        let replayed = machineState(after: prologue)
        expectRestored(replayed, Self.midPrint, situation: lostAt(Self.midPrint))
        #expect(replayed.homedAxes == [.x, .y])
    }

    @Test func afterACrashZIsDeclaredNeverHomedAndHeatingWaitsComeFirst() throws {
        let prologue = lines(Self.midPrint, lostAt(Self.midPrint))
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
        let prologue = lines(state, lostAt(state))
        #expect(Array(prologue.suffix(4)) == ["G1 F3048", "G91", "M82", "G20"])
        expectRestored(machineState(after: prologue), state, situation: lostAt(state))
    }

    @Test func shiftedXYOriginsAreShiftedAgainAfterHoming() {
        let state = machineState(after: ["G28", "G1 X100 Y50 Z3", "G92 X0 Y0"])
        let prologue = lines(state, lostAt(state))
        #expect(prologue.contains("G1 X100 Y50 F3000"))
        #expect(prologue.contains("G92 X0 Y0"))
        expectRestored(machineState(after: prologue), state, situation: lostAt(state))
    }

    @Test func travelClearsTheHighestPrintedPart() {
        let state = machineState(after: ["G28", "G1 X10 Y10 Z0.2"])
        #expect(lines(state, lostAt(state), printedHeightMM: 30).contains("G1 Z32 F600"))
        #expect(lines(state, .afterPause).contains("G1 Z2.2 F600"))
    }

    @Test func eachHotendIsNamedWhenThereAreSeveral() {
        let state = machineState(after: ["M104 T0 S200", "M104 T1 S240", "T1", "G28"])
        let prologue = lines(state, lostAt(state))
        #expect(prologue.contains("M109 T0 S200") && prologue.contains("M109 T1 S240"))
        #expect(prologue.contains("T1"))
        expectRestored(machineState(after: prologue), state, situation: lostAt(state))
    }

    @Test func primingPushesFilamentAndThenRestoresE() throws {
        let options = ResumePrologue.Options(situation: .afterPause, primeLengthMM: 2)
        let prologue = try ResumePrologue.lines(toResume: Self.midPrint, options: options)
        let prime = try #require(prologue.firstIndex(of: "G1 E2 F300"))
        let restore = try #require(prologue.firstIndex(of: "G92 E12345.679"))
        #expect(prime < restore)
    }

    // MARK: - Where the head is (issue: recovery drove the nozzle into the bed)

    /// The resume line of layer 37 (Z 7.75) comes after layer 36 at 7.55; the print stopped
    /// with the head on layer 37.
    private static let layer37 = machineState(after: ["G28", "G1 X50 Y50 Z7.55 F3000", "G1 X60 E3 F1200"])

    @Test func aPrinterThatKeptItsPositionIsTakenAtItsWordAndNothingIsDeclared() {
        let prologue = lines(Self.layer37, .positionKept(zMM: 7.75), printedHeightMM: 7.75)
        #expect(!prologue.contains { $0.hasPrefix("G92 Z") })
        #expect(prologue.contains("G1 Z9.75 F600"), "lifts from where the head is")
        #expect(prologue.contains("G1 Z7.75 F600"), "and stays at that height until the layer's own first line")
        #expect(ResumePrologue.endZ(resuming: Self.layer37, options: .init(situation: .positionKept(zMM: 7.75))) == 7.75)
    }

    @Test func aResetPrinterIsToldTheAcknowledgedHeightNotTheResumeLines() {
        let prologue = lines(Self.layer37, .positionLost(declaredZMM: 7.75), printedHeightMM: 7.75)
        #expect(prologue.contains("G92 Z7.75"))
        #expect(!prologue.contains("G92 Z7.55"))
        // The layer's first line, G1 Z7.75, then moves the nozzle by 0: the layer prints at its height.
        let physical = physicalZ(startingAt: 7.75, declared: 7.75, after: prologue + ["G1 Z7.75"])
        #expect(isClose(physical.last ?? -1, 7.75, within: 0.0005))
    }

    @Test func aCrashInTheStartScriptNeverDrivesTheNozzleIntoTheBed() {
        // The start script lifted to Z5, then moved down to the purge height: the head is at
        // 0.35 while the resume line's state still says 5.
        let afterLift = machineState(after: ["G28", "G1 Z5 F3000", "G1 X0 Y-3"])
        for situation in [ResumePrologue.Situation.positionKept(zMM: 0.35), .positionLost(declaredZMM: 0.35)] {
            let prologue = lines(afterLift, situation)
            let physical = physicalZ(startingAt: 0.35, declared: 0.35, after: prologue + ["G1 Z.35"])
            #expect(physical.allSatisfy { $0 >= 0.35 - 0.0005 }, "\(situation): \(physical)")
            #expect(isClose(physical.last ?? -1, 0.35, within: 0.0005))
        }
    }

    @Test func theProloguesMovesNeverGoBelowTheHeadsHeight() {
        for headZ in [7.55, 7.75, 8.35, 17.75] {  // the resume height, the layer, a Z hop, parked
            for situation in [ResumePrologue.Situation.positionKept(zMM: headZ), .positionLost(declaredZMM: headZ)] {
                let prologue = lines(Self.layer37, situation, printedHeightMM: 7.75)
                let heights = prologue.compactMap { line -> Double? in
                    guard line.hasPrefix("G1 "), let word = line.split(separator: " ").first(where: { $0.hasPrefix("Z") }) else { return nil }
                    return Double(word.dropFirst())
                }
                #expect(!heights.isEmpty && heights.allSatisfy { $0 >= headZ }, "\(situation): \(heights)")
            }
        }
    }

    @Test func aHeightBelowTheBedIsRefused() {
        for situation in [ResumePrologue.Situation.positionKept(zMM: -0.3), .positionLost(declaredZMM: -4.3)] {
            #expect(throws: ResumePrologue.Refusal.self) {
                try ResumePrologue.lines(toResume: Self.layer37, options: .init(situation: situation))
            }
        }
    }

    /// The nozzle's physical Z after each move, for a printer whose nozzle is at `start` and
    /// that believes it is at `declared` until a G92 says otherwise.
    private func physicalZ(startingAt start: Double, declared: Double, after lines: [String]) -> [Double] {
        var logical = declared
        var offset = start - declared  // physical = logical + offset
        var heights: [Double] = []
        for line in lines {
            let words = line.split(separator: " ")
            guard let code = words.first, let z = words.first(where: { $0.hasPrefix("Z") }).flatMap({ Double($0.dropFirst()) }) else { continue }
            if code == "G92" {
                offset += logical - z
                logical = z
            } else if code == "G1" || code == "G0" {
                logical = z
                heights.append(logical + offset)
            }
        }
        return heights
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
