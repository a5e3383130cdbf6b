import Testing
@testable import PrintEdgeCalibration

@Suite struct BedMeshSessionTests {
    private let bounds = MeshBounds(minimumXMM: 10, maximumXMM: 210, minimumYMM: 10, maximumYMM: 210)

    @Test func pausesAutoreportsHomesProbesAndRestoresLevelingAndReports() throws {
        var session = BedMeshSession(configuration: try .init(system: .bilinear, expectation: .init(columns: 5, rows: 5, bounds: bounds), autoreportIntervalSeconds: 2))
        #expect(session.start().batch?.lines == ["M155 S0", "G28"])
        let probe = try #require(session.commandsHandled().batch)
        #expect(probe.lines == ["G29"])
        #expect(probe.limit == .seconds(1800))
        let restore = session.answer(FirmwareSamples.bilinearGrid + "\nX:110.00 Y:110.00 Z:10.00 E:0.00 Count X:8800 Y:8800 Z:4000\nok")
        #expect(restore.batch?.lines == ["M420 S1", "M155 S2"])
        let outcome = try #require(session.answer("echo:Bed Leveling ON\necho:Fade Height 10.00\nok\nok").outcome)
        #expect(outcome.kind == .bedMesh)
        #expect(outcome.mesh.rows[0][0] == 0.311)
        #expect(outcome.mesh.columnXMM == [10, 60, 110, 160, 210])
        #expect(outcome.analysis.lowest.zMM == -0.288)
        #expect(outcome.levelingEnabled == true)
        #expect(outcome.comparison == nil)
        let json = try jsonObject(outcome)
        #expect(Set(json.keys) == ["kind", "mesh", "analysis", "from_stored", "leveling_enabled"])
    }

    @Test func probesUBLWithG29P1AndPrintsItsMapWithG29T() throws {
        var session = BedMeshSession(configuration: try .init(system: .unified))
        _ = session.start()
        #expect(session.commandsHandled().batch?.lines == ["G29 P1", "G29 T"])
        _ = session.answer(FirmwareSamples.unifiedReport)
        let outcome = try #require(session.answer("ok\nok").outcome)
        #expect(outcome.mesh.source == .unified)
        #expect(outcome.mesh.columnXMM?.first == 20)
        #expect(outcome.analysis.missingCount == 10)
    }

    @Test func readsTheStoredMeshWithoutMoving() throws {
        var session = BedMeshSession(configuration: try .init(system: .manual, fromStored: true))
        #expect(session.start().batch?.lines == ["M155 S0", "M420 V"])
        // A cancel now has no motion to stop, only the autoreport to restore.
        var other = session
        #expect(other.cancelled().failure?.safeStop == SafeStop(lines: ["M155 S0"]))
        #expect(session.answer("echo:Mesh Bed Level data:\n" + FirmwareSamples.manualMesh).batch?.lines == ["M420 S1", "M155 S0"])
        let outcome = try #require(session.answer("ok\nok").outcome)
        #expect(outcome.fromStored)
        #expect(outcome.mesh.source == .manual)
    }

    @Test func comparesWithThePreviousMesh() throws {
        let previous = BedMesh(source: .bilinear, rows: Array(repeating: [0.0, 0, 0, 0, 0], count: 5), decimals: 3)
        var session = BedMeshSession(configuration: try .init(system: .bilinear, previous: previous))
        _ = session.start()
        _ = session.commandsHandled()
        _ = session.answer(FirmwareSamples.bilinearGrid)
        let outcome = try #require(session.answer("ok").outcome)
        #expect(outcome.comparison?.largestChange?.zMM == 0.311)
        var small = BedMeshSession(configuration: try .init(system: .bilinear, previous: BedMesh(source: .bilinear, rows: [[0, 0]], decimals: 3)))
        _ = small.start()
        _ = small.commandsHandled()
        _ = small.answer(FirmwareSamples.bilinearGrid)
        let mismatched = try #require(small.answer("ok").outcome)
        #expect(mismatched.comparison == nil)
        #expect(mismatched.comparisonProblem?.hasPrefix("compare: the meshes have different grids (2×1 before, 5×5 now)") == true)
    }

    @Test func probingFailuresStopMotionAndRestoreAutoreports() throws {
        let cases: [(String, CalibrationFailure.Cause)] = [
            ("Error:Probing Failed", .firmware),
            ("?Error probing point. Aborting operation.", .firmware),
            ("G29 P1 requires a probe.", .firmware),
            ("echo:Home XYZ First", .firmware),
            ("echo:Unknown command: \"G29\"", .unsupported),
            ("Error:Printer halted. kill() called!", .firmware),
        ]
        for (line, cause) in cases {
            var session = BedMeshSession(configuration: try .init(system: .bilinear, autoreportIntervalSeconds: 3))
            _ = session.start()
            _ = session.commandsHandled()
            let failure = try #require(session.lineReceived(line).failure, "\(line)")
            #expect(failure.cause == cause, "\(line)")
            #expect(failure.safeStop == SafeStop(emergencyLines: ["M410"], lines: ["M155 S3"]))
        }
    }

    @Test func noStoredMeshIsSaidPlainly() throws {
        var session = BedMeshSession(configuration: try .init(system: .bilinear, fromStored: true))
        _ = session.start()
        let failure = try #require(session.answer("echo:Invalid mesh.\nok").failure)
        #expect(failure.reason == "the mesh: the firmware has no mesh to show (\"Invalid mesh.\"): probe one first")
        #expect(failure.safeStop == SafeStop(lines: ["M155 S0"]))
    }

    @Test func aDamagedGridFailsInsteadOfShowingWrongHeights() throws {
        var session = BedMeshSession(configuration: try .init(system: .bilinear))
        _ = session.start()
        _ = session.commandsHandled()
        let failure = try #require(session.answer("Bilinear Leveling Grid:\n      0      1\n 0 +0.011 -0.02#\n 1 +0.017 +0.002\nok").failure)
        #expect(failure.cause == .unreadableOutput)
    }

    @Test func refusedToEnableLevelingIsReportedNotHidden() throws {
        var session = BedMeshSession(configuration: try .init(system: .bilinear))
        _ = session.start()
        _ = session.commandsHandled()
        _ = session.answer(FirmwareSamples.bilinearGrid)
        let outcome = try #require(session.answer("Error:Failed to enable Bed Leveling\nok\nok").outcome)
        #expect(outcome.levelingEnabled == false)
    }

    @Test func cancellingWhileProbingStopsMotion() throws {
        var session = BedMeshSession(configuration: try .init(system: .bilinear))
        _ = session.start()
        _ = session.commandsHandled()
        #expect(session.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M410"], lines: ["M155 S0"]))
        #expect(session.commandsHandled() == .wait)
    }

    @Test func manualMeshesCanOnlyBeShown() {
        #expect(throws: CalibrationRequestError.self) { try BedMeshSession.Configuration(system: .manual) }
        #expect(throws: CalibrationRequestError.self) { try BedMeshSession.Configuration(system: .bilinear, expectation: .init(columns: 1)) }
    }

    @Test func guessesTheLevelingSystemFromTheSettings() throws {
        #expect(LevelingSystem(settings: try FirmwareSettings(replayText: "M92 E93\nG29 W I0 J0 Z0.1")) == .bilinear)
        #expect(LevelingSystem(settings: try FirmwareSettings(replayText: "M92 E93\nG29 S3 I0 J0 Z0.1")) == .manual)
        #expect(LevelingSystem(settings: try FirmwareSettings(replayText: "M92 E93\nM420 S1")) == nil)
    }
}
