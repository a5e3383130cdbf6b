import Foundation
import Testing
@testable import PrintEdgeCalibration
import PrintEdgeCore

/// `--json` promises snake_case keys: every value a session reports or finishes with is encoded
/// here and each key, at every depth, checked.
@Suite struct JSONKeyTests {
    private func keys(of value: Any, path: String = "") -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, nested in [path + key] + keys(of: nested, path: path + key + ".") }
        case let array as [Any]:
            return array.flatMap { keys(of: $0, path: path) }
        default:
            return []
        }
    }

    private func badKeys(_ value: some Encodable) throws -> [String] {
        let data = try JSONEncoder().encode(value)
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return keys(of: object).filter { key in
            let last = key.split(separator: ".").last.map(String.init) ?? key
            return !last.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }
        }
    }

    @Test func everyOutcomeAndProgressUsesSnakeCaseKeys() throws {
        let mesh = BedMesh(source: .unified, rows: [[0.1, nil], [-0.1, 0.05]], columnXMM: [0, 100], rowYMM: [0, 100], decimals: 3)
        let analysis = try #require(BedMeshAnalysis(mesh))
        let settings = try FirmwareSettings(replayText: "M92 E93\n")
        let cycle = PIDCycle(number: 3, bias: 55, d: 55, minimumCelsius: 203.87, maximumCelsius: 211.91, ultimateGain: 17.41, ultimatePeriodSeconds: 18.16,
                             rule: "Classic PID", constants: PIDConstants(kp: 10.45, ki: 1.15, kd: 23.72))
        let round = TrammingRound(screws: [TrammingScrew(name: "a", xMM: 0, yMM: 0), TrammingScrew(name: "b", xMM: 1, yMM: 0)], heightsMM: [0, 0.2],
                                  thread: .standard, reference: .screw(index: 0), toleranceMM: 0.05)
        let repeatability = ProbeRepeatability(meanMM: 0, minimumMM: 0, maximumMM: 0.01, rangeMM: 0.01, standardDeviationMM: 0.003, samplesMM: [0, 0.01])
        var problems: [String] = []
        problems += try badKeys(PIDTuningSession.Outcome(heater: .hotend(tool: 0), targetCelsius: 210, cyclesRequested: 5, firmwareConstants: cycle.constants!, cycles: [cycle],
                                                         statistics: PIDCycleStatistics(cycles: [cycle]), applied: cycle.constants, persistence: .storedUnverified,
                                                         settingsBefore: settings, settingsAfter: settings))
        problems += try badKeys(PIDTuningSession.Progress(stage: .cycle, cycle: cycle, temperatureCelsius: 210, message: "m"))
        problems += try badKeys(ExtruderStepsSession.Outcome(tool: 0, calculation: try ExtruderStepsCalculation(previousStepsPerMM: 93, requestedMM: 100, markDistanceMM: 120, remainingMM: 20),
                                                             persistence: .verified, settingsBefore: settings, settingsAfter: settings))
        problems += try badKeys(ExtruderStepsSession.Progress(stage: .extruding, message: "m"))
        problems += try badKeys(try FlowCalibration(expectedWallMM: 0.45, measuredWallMM: 0.46))
        problems += try badKeys(ProbeAccuracySession.Outcome(repeatability: repeatability, verdict: ProbeAccuracyVerdict(repeatability)))
        problems += try badKeys(ProbeAccuracySession.Progress(number: 1, count: 2, zMM: 0))
        problems += try badKeys(ZOffsetSession.Outcome(mode: .paperTest, previousOffsetMM: -1.65, newOffsetMM: -1.15, touchHeightMM: 0.5, persistence: .notRequested,
                                                       settingsBefore: settings, settingsAfter: settings))
        problems += try badKeys(ZOffsetSession.Progress(stage: .moved, nozzleHeightMM: 0.5))
        problems += try badKeys(BedMeshSession.Outcome(mesh: mesh, analysis: analysis, comparison: try BedMeshComparison(before: mesh, after: mesh),
                                                       comparisonProblem: "p", fromStored: true, levelingEnabled: true))
        problems += try badKeys(BedMeshSession.Progress(stage: .probing))
        problems += try badKeys(TrammingSession.Outcome(rounds: [round], isWithinTolerance: false, screwsTurned: true, method: .probe, thread: .standard, notes: ["n"]))
        problems += try badKeys(TrammingSession.Progress(round: 1, result: round))
        problems += try badKeys(SettingsBackupSession.Outcome(settings: settings))
        problems += try badKeys(SettingsRestoreSession.Outcome(changes: [SettingsDifference(change: .changed, command: "M92", parameter: "E", before: "1", after: "2")],
                                                               persistence: .verified, settingsBefore: settings, settingsAfter: settings))
        problems += try badKeys(CalibrationFailure(cause: .linkLost, reason: "r", safeStop: SafeStop(emergencyLines: ["M410"], lines: ["M104 S0"])))
        problems += try badKeys(CommandBatch(["M303 E0 C5 S210"], purpose: "p", isExclusive: true))
        problems += try badKeys(OperatorQuestion(kind: .testZ, prompt: "p", problem: "q", details: ["d"], minimumMM: 0, maximumMM: 1, stepsMM: [0.1], position: "z"))
        problems += try badKeys(MeshColourScale())
        problems += try badKeys(FirmwarePosition(xMM: 1, yMM: 2, zMM: 3, eMM: 4))
        problems += try badKeys(ProbeOffset(xMM: 0, yMM: 0, zMM: -1))
        problems += try badKeys(LevelingState(isEnabled: true, fadeHeightMM: 10, hasValidMesh: true))
        problems += try badKeys(ProbeReading(xMM: 0, yMM: 0, zMM: 0))
        #expect(problems == [])
    }

    @Test func outcomesDecodeFromTheirOwnJSON() throws {
        let cycle = PIDCycle(number: 1, bias: 1, d: 1, minimumCelsius: 1, maximumCelsius: 2)
        let pid = PIDTuningSession.Outcome(heater: .bed, targetCelsius: 60, cyclesRequested: 5, firmwareConstants: PIDConstants(kp: 1, ki: 2, kd: 3), cycles: [cycle],
                                           statistics: nil, applied: nil, persistence: .notRequested, settingsBefore: nil, settingsAfter: nil)
        #expect(try JSONDecoder().decode(PIDTuningSession.Outcome.self, from: JSONEncoder().encode(pid)) == pid)
        let batch = CommandBatch(["G28"], purpose: "homing", limit: .seconds(300))
        #expect(try JSONDecoder().decode(CommandBatch.self, from: JSONEncoder().encode(batch)) == batch)
        #expect(try JSONDecoder().decode(ScrewThread.self, from: Data(#""CCW-M4""#.utf8)) == ScrewThread(size: .m4, raisingDirection: .counterClockwise))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScrewThread.self, from: Data(#""M4""#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PIDHeater.self, from: Data(#"{"kind":"nozzle"}"#.utf8)) }
    }
}
