import Testing
@testable import PrintEdgeCalibration

@Suite struct TrammingTests {
    private let screws = [
        TrammingScrew(name: "front-left", xMM: -5, yMM: 30), TrammingScrew(name: "front-right", xMM: 155, yMM: 30),
        TrammingScrew(name: "back-right", xMM: 155, yMM: 190), TrammingScrew(name: "back-left", xMM: -5, yMM: 190),
    ]

    @Test func readsThreadNamesAsKlipperWritesThem() {
        #expect(ScrewThread(name: "CW-M3") == .standard)
        #expect(ScrewThread(name: "ccw-m5") == ScrewThread(size: .m5, raisingDirection: .counterClockwise))
        #expect(ScrewThread(name: "M3") == nil)
        #expect(ScrewThread(name: "CW-M7") == nil)
        #expect(ScrewThread.standard.pitchMM == 0.5)
        #expect(ScrewThread(size: .m4, raisingDirection: .clockwise).pitchMM == 0.7)
        #expect(ScrewThread(size: .m5, raisingDirection: .clockwise).pitchMM == 0.8)
        // Marlin's G35 S codes: 30 CW-M3 … 51 CCW-M5; M6 is not among them.
        #expect(ScrewThread.standard.assistedTrammingCode == 30)
        #expect(ScrewThread(size: .m5, raisingDirection: .counterClockwise).assistedTrammingCode == 51)
        #expect(ScrewThread(size: .m6, raisingDirection: .clockwise).assistedTrammingCode == nil)
        #expect(ScrewThread.standard.defaultToleranceMM == 0.05)
    }

    @Test func saysTurnsInWordsNobodyCanMisread() {
        #expect(ScrewTurnWords.phrase(turns: 0.31) == "a quarter turn and a bit")
        #expect(ScrewTurnWords.phrase(turns: 0.25) == "a quarter turn")
        #expect(ScrewTurnWords.phrase(turns: 0.27) == "a quarter turn")
        #expect(ScrewTurnWords.phrase(turns: 0.2) == "nearly a quarter turn")
        #expect(ScrewTurnWords.phrase(turns: 0.5) == "half a turn")
        #expect(ScrewTurnWords.phrase(turns: 0.7) == "nearly three quarters of a turn")
        #expect(ScrewTurnWords.phrase(turns: 1) == "one full turn")
        #expect(ScrewTurnWords.phrase(turns: 1.31) == "one and a quarter turns and a bit")
        #expect(ScrewTurnWords.phrase(turns: 2.5) == "two and a half turns")
        #expect(ScrewTurnWords.phrase(turns: 0.06) == "a little")
        #expect(ScrewTurnWords.figure(turns: 0.31) == "0.31 turn")
        #expect(ScrewTurnWords.figure(turns: 1.5) == "1.50 turns")
    }

    @Test func theInstructionReadsAsTheIssueAsks() {
        let adjustment = ScrewAdjustment(screwName: "front-left", probedZMM: 1.845, differenceMM: -0.155, isReference: false, thread: .standard, toleranceMM: 0.05)
        #expect(adjustment.instruction == "turn the front-left screw clockwise a quarter turn and a bit: 0.31 turn")
        #expect(adjustment.reason == "the bed is 0.16 mm low there; clockwise as seen from above")
        #expect(adjustment.direction == .clockwise)
    }

    @Test func correctsEachScrewAgainstTheFirstWithKlippersSigns() throws {
        // Heights from Klipper's docs/Manual_Level.md example (2.48750, 2.36000, 2.71500,
        // 2.47250). Klipper's rule: adjust = (z_base − z) ÷ pitch, CW when positive for CW-M3.
        let round = TrammingRound(screws: screws, heightsMM: [2.4875, 2.36, 2.715, 2.4725], thread: .standard, reference: .screw(index: 0), toleranceMM: 0.05)
        let adjustments = round.adjustments
        #expect(adjustments[0].isReference)
        #expect(adjustments[0].instruction == "leave the front-left screw: it is the reference")
        #expect(adjustments[1].direction == .clockwise)  // lower than the base: raise
        #expect(abs(adjustments[1].turns - 0.255) < 1e-9)
        #expect(adjustments[2].direction == .counterClockwise)  // higher: lower it
        #expect(abs(adjustments[2].turns - 0.455) < 1e-9)
        #expect(adjustments[3].direction == nil)  // 0.015 mm, within tolerance
        #expect(adjustments[3].instruction == "leave the back-left screw: it is within 0.05 mm")
        #expect(!round.isWithinTolerance)
        #expect(abs(round.largestDifferenceMM - 0.2275) < 1e-9)
    }

    @Test func aCounterClockwiseThreadTurnsTheOtherWay() {
        let thread = ScrewThread(size: .m4, raisingDirection: .counterClockwise)
        let round = TrammingRound(screws: Array(screws.prefix(2)), heightsMM: [0, -0.35], thread: thread, reference: .screw(index: 0), toleranceMM: 0.07)
        #expect(round.adjustments[1].direction == .counterClockwise)
        #expect(round.adjustments[1].turns == 0.5)
        #expect(round.adjustments[1].instruction == "turn the front-right screw counter-clockwise half a turn: 0.50 turn")
    }

    @Test func theHighestScrewAsReferenceMakesEveryTurnRaiseTheBed() {
        let round = TrammingRound(screws: screws, heightsMM: [2.4875, 2.36, 2.715, 2.4725], thread: .standard, reference: .highest, toleranceMM: 0.05)
        #expect(round.adjustments[2].isReference)
        #expect(round.adjustments.compactMap(\.direction) == [.clockwise, .clockwise, .clockwise])
        let lowest = TrammingRound(screws: screws, heightsMM: [2.4875, 2.36, 2.715, 2.4725], thread: .standard, reference: .lowest, toleranceMM: 0.05)
        #expect(lowest.adjustments[1].isReference)
        #expect(lowest.adjustments.compactMap(\.direction) == [.counterClockwise, .counterClockwise, .counterClockwise])
    }

    @Test func readsG35sTurnsIntoTheSameAdjustments() {
        let turns = [
            AssistedTrammingReport.Turn(pointName: "Front-Right", direction: .counterClockwise, fullTurns: 0, minutes: 15, differenceMM: 0.13),
            AssistedTrammingReport.Turn(pointName: "Back-Right", direction: .clockwise, fullTurns: 0, minutes: 30, differenceMM: nil),
        ]
        let round = TrammingRound(assistedTramming: turns, referenceName: "Front-Left", thread: .standard, toleranceMM: 0.05)
        #expect(round.adjustments.map(\.screwName) == ["Front-Left", "Front-Right", "Back-Right"])
        #expect(round.adjustments[1].differenceMM == 0.13)
        #expect(round.adjustments[1].direction == .counterClockwise)
        // Without REPORT_TRAMMING_MM the height follows from the turns: CW raises, so it was low.
        #expect(round.adjustments[2].differenceMM == -0.25)
        #expect(round.adjustments[2].direction == .clockwise)
    }
}
