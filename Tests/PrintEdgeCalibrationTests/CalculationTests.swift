import Testing
@testable import PrintEdgeCalibration
import PrintEdgeCore

@Suite struct CalculationTests {
    @Test func newStepsAreOldTimesRequestedOverActual() throws {
        // Marked at 120 mm, 100 mm asked, 23.5 mm left: 96.5 mm went in.
        let calculation = try ExtruderStepsCalculation(previousStepsPerMM: 93, requestedMM: 100, markDistanceMM: 120, remainingMM: 23.5)
        #expect(calculation.extrudedMM == 96.5)
        #expect(abs(calculation.newStepsPerMM - 93 * 100 / 96.5) < 1e-9)
        #expect(!calculation.needsConfirmation)
        #expect(calculation.summary == "96.5 mm went in of the 100 mm asked: 96.37 steps per mm instead of 93.00 (+3.6 %)")
    }

    @Test func aChangeOverTwentyPercentNeedsConfirmation() throws {
        // The usual slip: measuring what went in (100) as the length left.
        let slip = try ExtruderStepsCalculation(previousStepsPerMM: 93, requestedMM: 100, markDistanceMM: 120, remainingMM: 100)
        #expect(slip.needsConfirmation)
        let edge = try ExtruderStepsCalculation(previousStepsPerMM: 100, requestedMM: 100, markDistanceMM: 120, remainingMM: 120 - 100 / 1.2)
        #expect(abs(edge.changePercent - 20) < 1e-9)
        #expect(!edge.needsConfirmation)
    }

    @Test func impossibleMeasurementsAreRefused() {
        #expect(throws: CalibrationRequestError.self) { try ExtruderStepsCalculation(previousStepsPerMM: 93, requestedMM: 100, markDistanceMM: 120, remainingMM: -1) }
        #expect(throws: CalibrationRequestError.self) { try ExtruderStepsCalculation(previousStepsPerMM: 93, requestedMM: 100, markDistanceMM: 120, remainingMM: 120) }
    }

    @Test func flowScalesByExpectedOverMeasuredAndNamesTheSlicerSetting() throws {
        let flow = try FlowCalibration(expectedWallMM: 0.45, measuredWallMM: 0.47, currentPercent: 100)
        #expect(abs(flow.newPercent - 95.744680851) < 1e-6)
        #expect(flow.slicerSettings == [
            "PrusaSlicer / SuperSlicer: Filament Settings › Filament › Extrusion multiplier = 0.957",
            "OrcaSlicer / Bambu Studio: Filament › Flow ratio = 0.957",
            "Cura: Material › Flow = 95.7 %",
        ])
        #expect(flow.kind == .flow)
        #expect(try FlowCalibration(expectedWallMM: 0.45, measuredWallMM: 0.45, currentPercent: 96).newPercent == 96)
    }

    @Test func implausibleWallsAreRefused() {
        #expect(throws: CalibrationRequestError.self) { try FlowCalibration(expectedWallMM: 0.45, measuredWallMM: 0.9) }
        #expect(throws: CalibrationRequestError.self) { try FlowCalibration(expectedWallMM: 0, measuredWallMM: 0.45) }
        #expect(throws: CalibrationRequestError.self) { try FlowCalibration(expectedWallMM: 0.45, measuredWallMM: 0.45, currentPercent: 0) }
    }

    @Test func stalenessFollowsKlippersInvalidationChain() {
        #expect(CalibrationKind.tramming.invalidates == [.zOffset, .bedMesh])
        #expect(CalibrationKind.zOffset.invalidates == [.bedMesh])
        #expect(CalibrationKind.bedMesh.invalidates.isEmpty)
        // Mesh at 1, Z offset at 2, tramming at 3: both earlier results are stale.
        #expect(CalibrationKind.staleKinds(lastRuns: [.bedMesh: 1, .zOffset: 2, .tramming: 3]) == [.zOffset, .bedMesh])
        // Tramming, then Z offset, then mesh: nothing is stale.
        #expect(CalibrationKind.staleKinds(lastRuns: [.tramming: 1, .zOffset: 2, .bedMesh: 3]).isEmpty)
        // A new Z offset after the mesh makes the mesh stale.
        #expect(CalibrationKind.staleKinds(lastRuns: [.bedMesh: 5, .zOffset: 6]) == [.bedMesh])
    }

    @Test func decimalTextRoundsLikeMarlinAndNeverPrintsMinusZero() {
        #expect(GCodeDecimal.fixed(0.3105, decimals: 2) == "0.31")
        #expect(GCodeDecimal.fixed(-0.0004, decimals: 3) == "0.000")
        #expect(GCodeDecimal.signed(0.311, decimals: 3) == "+0.311")
        #expect(GCodeDecimal.signed(-0.07, decimals: 3) == "-0.070")
        #expect(GCodeDecimal.text(22.2, decimals: 2) == "22.2")
        #expect(GCodeDecimal.text(93.0, decimals: 2) == "93")
        #expect(GCodeDecimal.fixed(2.5, decimals: 0) == "3")
    }
}
