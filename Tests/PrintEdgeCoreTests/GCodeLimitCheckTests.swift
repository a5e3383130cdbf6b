import Testing
@testable import PrintEdgeCore

@Suite struct GCodeLimitCheckTests {
    private static let ender = MachineLimits(xMM: 0...235, yMM: 0...235, zMM: 0...250, maxHotendCelsius: 260, maxBedCelsius: 100)

    private func violations(_ lines: [String], limits: MachineLimits = GCodeLimitCheckTests.ender) -> GCodeAnalysis {
        analyze(lines, options: .init(accelerationMMPerSecondSquared: nil, limits: limits))
    }

    @Test func aMoveOutsideTheBuildVolumeIsReportedWithItsLine() throws {
        let analysis = violations(["G28", "G1 X100 Y100", "G1 X250.5 ; too far"])
        let violation = try #require(analysis.limitViolations.first)
        #expect(violation.sourceLine == 3)
        #expect(violation.kind == .outsideBuildVolume(axis: "X", positionMM: 250.5, allowedMM: 0...235))
        #expect(violation.description.hasPrefix("line 3: G1 X250.5 leaves the build volume (X 0…235 mm) at X 250.5 mm, 15.5 mm past the maximum;"))
        #expect(analysis.limitViolationCount == 1)
    }

    @Test func temperaturesAboveTheHeatersMaximumAreReported() throws {
        let analysis = violations(["M140 S110", "M104 S250", "M109 S320"])
        #expect(analysis.limitViolations.map(\.sourceLine) == [1, 3])
        let hotend = try #require(analysis.limitViolations.last)
        #expect(hotend.description.hasPrefix("line 3: M109 S320 is above the hotend's maximum of 260 °C"))
    }

    @Test func absoluteMovesCountBeforeHomingRelativeOnesOnlyOnceThePositionIsKnown() {
        #expect(violations(["G1 X300"]).limitViolationCount == 1)
        #expect(violations(["G91", "G1 X300", "G1 X300"]).limitViolationCount == 0)
        #expect(violations(["G28", "G91", "G1 X200", "G1 X100"]).limitViolations.map(\.sourceLine) == [4])
    }

    @Test func aPurgeLineOutsideTheNominalVolumeNeedsTheRealMinimumOrATolerance() {
        let purge = ["G28", "G1 X10 Y-3 Z0.2", "G1 X60 Y-3 E9"]
        #expect(violations(purge).limitViolationCount == 2)
        var prusa = Self.ender
        prusa.yMM = -4...210
        #expect(violations(purge, limits: prusa).limitViolationCount == 0)
        var tolerant = Self.ender
        tolerant.toleranceMM = 3
        #expect(violations(purge, limits: tolerant).limitViolationCount == 0)
    }

    @Test func anArcThatBulgesOutOfTheVolumeIsReportedThoughItsEndsAreInside() {
        var narrow = Self.ender
        narrow.xMM = 0...230
        // Counter-clockwise from (225, 100) around (225, 110): it passes X 235 on the way to (225, 120).
        let analysis = violations(["G28", "G1 X225 Y100", "G3 X225 Y120 I0 J10"], limits: narrow)
        #expect(analysis.limitViolations.map(\.sourceLine) == [3])
        #expect(violations(["G28", "G1 X225 Y100", "G2 X225 Y120 I0 J10"], limits: narrow).limitViolationCount == 0)
    }

    @Test func gcodeOriginShiftsAreRemovedBeforeChecking() {
        // After G92 X0 at native X 200, X 50 is native 250.
        let analysis = violations(["G28", "G1 X200", "G92 X0", "G1 X50"])
        #expect(analysis.limitViolations.first?.kind == .outsideBuildVolume(axis: "X", positionMM: 250, allowedMM: 0...235))
    }

    @Test func onlyTheFirstViolationsAreKeptButAllAreCounted() {
        let lines = ["G28"] + (1...30).map { "G1 Y\(300 + $0)" }
        let analysis = violations(lines)
        #expect(analysis.limitViolations.count == 20)
        #expect(analysis.limitViolationCount == 30)
        #expect(analysis.limitViolations.first?.sourceLine == 2)
    }

    @Test func withoutLimitsNothingIsChecked() {
        let analysis = analyze(["G1 X5000", "M104 S999"])
        #expect(analysis.limitViolations.isEmpty)
        #expect(analysis.limitViolationCount == 0)
    }
}
