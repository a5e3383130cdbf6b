import Foundation
import PrintEdgeCalibration
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore

/// Turns a `calibrate.start` request into the session that runs it on one printer: the
/// request's parameters, the printer's profile (`[calibration]`: leveling, mesh area, screws),
/// what its firmware said of itself at the handshake (`Cap:EEPROM`, `Cap:EMERGENCY_PARSER`,
/// `Cap:AUTOREPORT_TEMP`) and, for a comparison or a restore, the stored runs. Everything is
/// checked before anything is sent.
struct CalibrationPlan {
    let setup: PrinterSetup
    /// `M115`'s capabilities at the last handshake.
    let capabilities: [String: Bool]
    let store: Store
    /// Restore a snapshot of a printer of another profile.
    let force: Bool

    func session(for request: CalibrationRequest) throws(ControlError) -> any RunnableCalibration {
        do {
            return try makeSession(request)
        } catch let error as ControlError {
            throw error
        } catch let error as CalibrationRequestError {
            guard case .invalid(let parameter, let reason) = error else { throw ControlError(code: .badRequest, message: error.description) }
            // Only the firmware can be blamed for a save it cannot keep.
            let code: ControlError.Code = parameter == "save" && eeprom == .absent ? .notConfigured : .badRequest
            throw ControlError(code: code, message: "--\(parameter): \(reason)")
        } catch {
            throw ControlError(code: .internal, message: "\(error)")
        }
    }

    private var eeprom: EEPROMSupport {
        switch capabilities["EEPROM"] {
        case true?: .present
        case false?: .absent
        case nil: .unknown
        }
    }

    private var profile: CalibrationProfile { setup.calibration }

    private func makeSession(_ request: CalibrationRequest) throws -> any RunnableCalibration {
        switch request.kind {
        case .pid:
            let heater: PIDHeater
            switch request.heater ?? "hotend" {
            case "hotend": heater = .hotend(tool: request.tool ?? 0)
            case "bed": heater = .bed
            case "chamber": heater = .chamber
            case let other: throw CalibrationRequestError.invalid(parameter: "heater", reason: "`\(other)` is not a heater: hotend, bed or chamber")
            }
            let celsius = try required(request.temperatureCelsius, "temp", "the temperature to tune at, in °C (the one you print at)")
            try checkTemperature(celsius, heater: heater)
            let choice: PIDTuningSession.Configuration.Choice
            switch request.choice ?? "firmware_final" {
            case "firmware_final": choice = .firmwareFinal
            case "median_period_cycle": choice = .medianPeriodCycle
            case let other: throw CalibrationRequestError.invalid(parameter: "choose", reason: "`\(other)` is not firmware_final or median_period_cycle")
            }
            let configuration = try PIDTuningSession.Configuration(
                heater: heater, targetCelsius: celsius, cycles: request.cycles ?? 5, fanPercent: request.fanPercent, apply: request.apply ?? false,
                save: request.save ?? false, choice: choice, eeprom: eeprom, hasEmergencyParser: capabilities["EMERGENCY_PARSER"] == true)
            return SessionRunner(PIDTuningSession(configuration: configuration), kind: heater.calibrationKind)
        case .esteps:
            let celsius = try required(request.temperatureCelsius, "temp", "the filament's printing temperature, in °C")
            try checkTemperature(celsius, heater: .hotend(tool: request.tool ?? 0))
            let configuration = try ExtruderStepsSession.Configuration(
                tool: request.tool ?? 0, requestedMM: request.lengthMM ?? 100, markDistanceMM: request.markMM, temperatureCelsius: celsius,
                feedrateMMPerMinute: request.feedrateMMPerMinute ?? 60, save: request.save ?? false, eeprom: eeprom)
            return SessionRunner(ExtruderStepsSession(configuration: configuration), kind: .extruderSteps)
        case .flow:
            throw ControlError(code: .internal, message: "a flow calibration is computed, not run on the printer")
        case .probeAccuracy:
            if let x = request.xMM, let y = request.yMM { try checkPosition(x, y) }
            let configuration = try ProbeAccuracySession.Configuration(samples: request.samples ?? 10, xMM: request.xMM, yMM: request.yMM)
            return SessionRunner(ProbeAccuracySession(configuration: configuration), kind: .probeAccuracy)
        case .zOffset:
            let mode: ZOffsetSession.Mode
            switch request.mode ?? "babystep" {
            case "babystep": mode = .babystep
            case "paper_test": mode = .paperTest
            case let other: throw CalibrationRequestError.invalid(parameter: "mode", reason: "`\(other)` is not babystep or paper_test")
            }
            guard (request.xMM == nil) == (request.yMM == nil) else {
                throw CalibrationRequestError.invalid(parameter: "x", reason: "give both --x and --y, or neither for the profile's test point")
            }
            let x = request.xMM ?? profile.zOffsetXMM ?? (setup.limits.xMM.lowerBound + setup.limits.xMM.upperBound) / 2
            let y = request.yMM ?? profile.zOffsetYMM ?? (setup.limits.yMM.lowerBound + setup.limits.yMM.upperBound) / 2
            try checkPosition(x, y)
            let configuration = try ZOffsetSession.Configuration(
                mode: mode, xMM: x, yMM: y, startHeightMM: request.startHeightMM ?? 5, maximumBelowZeroMM: request.belowZeroMM ?? 2,
                save: request.save ?? false, eeprom: eeprom)
            return SessionRunner(ZOffsetSession(configuration: configuration), kind: .zOffset)
        case .mesh:
            guard let system = profile.leveling else {
                throw ControlError(code: .notConfigured, message: "printer \(setup.id)'s profile `\(setup.profileName)` does not say which bed leveling its firmware was built with: add `leveling = \"bilinear\"` (or \"ubl\", \"mbl\") under [calibration] (hardware/README.md)")
            }
            let count = request.probeCount ?? profile.meshProbeCount
            let expectation = BedMeshParser.Expectation(columns: count, rows: count, bounds: profile.meshBounds)
            let autoreport = capabilities["AUTOREPORT_TEMP"] == true ? max(1, Int((setup.temperatureInterval / .seconds(1)).rounded())) : 0
            let configuration = try BedMeshSession.Configuration(system: system, fromStored: request.fromStored ?? false, expectation: expectation,
                                                                 autoreportIntervalSeconds: autoreport, previous: try previousMesh(request))
            return SessionRunner(BedMeshSession(configuration: configuration), kind: .bedMesh)
        case .tramming:
            let method: TrammingSession.Method
            switch request.method ?? (profile.screws.isEmpty ? "assisted" : "probe") {
            case "probe": method = .probe
            case "assisted": method = .assisted
            case "automatic", "auto": method = .automatic
            case let other: throw CalibrationRequestError.invalid(parameter: "method", reason: "`\(other)` is not probe, assisted or auto")
            }
            if method != .assisted, profile.screws.count < 2 {
                throw ControlError(code: .notConfigured, message: "printer \(setup.id)'s profile `\(setup.profileName)` lists \(profile.screws.count) bed screw\(profile.screws.count == 1 ? "" : "s"): add a [[calibration.screw]] with `name`, `x_mm` and `y_mm` (where the probe is over it) for each (hardware/README.md), or use --method assisted on firmware with G35")
            }
            let reference: TrammingReference
            switch request.reference ?? "first" {
            case "first": reference = .screw(index: 0)
            case "highest": reference = .highest
            case "lowest": reference = .lowest
            case let name:
                guard let index = profile.screws.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw CalibrationRequestError.invalid(parameter: "reference", reason: "`\(name)` is not first, highest, lowest or one of the profile's screws (\(profile.screws.map(\.name).joined(separator: ", ")))")
                }
                reference = .screw(index: index)
            }
            let configuration = try TrammingSession.Configuration(screws: profile.screws, thread: profile.screwThread,
                                                                  toleranceMM: request.toleranceMM ?? profile.trammingToleranceMM, reference: reference,
                                                                  maximumRounds: request.rounds ?? 5, method: method)
            return SessionRunner(TrammingSession(configuration: configuration), kind: .tramming)
        case .settingsBackup:
            return SessionRunner(SettingsBackupSession(), kind: .settingsBackup)
        case .settingsRestore:
            let id = try required(request.snapshotRecord, "snapshot", "the stored snapshot to restore (printedge calibrate settings show lists them)")
            let snapshot = try storedResult(id, kind: .settingsBackup, as: SettingsBackupSession.Outcome.self)
            if snapshot.record.printerID != setup.id, !force {
                let owner = try? store.printer(id: snapshot.record.printerID)
                if owner?.profile != setup.profileName {
                    throw ControlError(code: .refused, message: "snapshot \(id) is of printer \(snapshot.record.printerID) (profile `\(owner?.profile ?? "unknown")`), not of a `\(setup.profileName)` like \(setup.id): its settings belong to another machine; add --force to restore it anyway")
                }
            }
            let configuration = try SettingsRestoreSession.Configuration(settings: snapshot.result.settings, save: request.save ?? false, eeprom: eeprom)
            return SessionRunner(SettingsRestoreSession(configuration: configuration), kind: .settingsRestore)
        }
    }

    private func required<T>(_ value: T?, _ parameter: String, _ meaning: String) throws -> T {
        guard let value else { throw CalibrationRequestError.invalid(parameter: parameter, reason: "missing: \(meaning)") }
        return value
    }

    /// The profile's limits hold for a calibration as for a job.
    private func checkTemperature(_ celsius: Double, heater: PIDHeater) throws {
        let maximum: Double? = switch heater {
        case .hotend: setup.limits.maxHotendCelsius
        case .bed: setup.limits.maxBedCelsius
        case .chamber: nil
        }
        if let maximum, celsius > maximum {
            throw ControlError(code: .refused, message: "\(GCodeDecimal.text(celsius)) °C is above the \(heater)'s maximum of \(GCodeDecimal.text(maximum)) °C in printer \(setup.id)'s profile; nothing was sent")
        }
    }

    private func checkPosition(_ x: Double, _ y: Double) throws {
        guard setup.limits.xMM.contains(x), setup.limits.yMM.contains(y) else {
            throw ControlError(code: .refused, message: "X \(GCodeDecimal.text(x)) Y \(GCodeDecimal.text(y)) is outside printer \(setup.id)'s build volume (X \(GCodeDecimal.text(setup.limits.xMM.lowerBound))…\(GCodeDecimal.text(setup.limits.xMM.upperBound)), Y \(GCodeDecimal.text(setup.limits.yMM.lowerBound))…\(GCodeDecimal.text(setup.limits.yMM.upperBound)) mm)")
        }
    }

    /// The mesh to compare with: the one named, or this printer's latest.
    private func previousMesh(_ request: CalibrationRequest) throws -> BedMesh? {
        if let id = request.compareRecord {
            return try storedResult(id, kind: .bedMesh, as: BedMeshSession.Outcome.self).result.mesh
        }
        guard request.compare == true else { return nil }
        let latest: CalibrationRecord?
        do {
            latest = try store.latestCalibration(printerID: setup.id, kind: CalibrationKind.bedMesh.rawValue)
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
        guard let latest else {
            throw ControlError(code: .refused, message: "printer \(setup.id) has no stored mesh to compare with yet: run `printedge calibrate mesh` once without --compare")
        }
        return try decode(BedMeshSession.Outcome.self, from: latest).mesh
    }

    private func storedResult<Result: Decodable>(_ id: Int64, kind: CalibrationKind, as type: Result.Type) throws -> (record: CalibrationRecord, result: Result) {
        let record: CalibrationRecord?
        do {
            record = try store.calibration(id: id)
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
        guard let record else { throw ControlError(code: .refused, message: "there is no calibration record \(id) (printedge calibrate history lists them)") }
        guard record.kind == kind.rawValue, record.outcome == .completed else {
            throw ControlError(code: .refused, message: "calibration record \(id) is a \(record.outcome.rawValue) \(record.kind) run, not a \(kind.rawValue) result")
        }
        return (record, try decode(type, from: record))
    }

    private func decode<Result: Decodable>(_ type: Result.Type, from record: CalibrationRecord) throws -> Result {
        do {
            return try JSONDecoder().decode(type, from: Data(record.dataJSON.utf8))
        } catch {
            throw ControlError(code: .storage, message: "calibration record \(record.id ?? 0) cannot be read back (\(error)): it was written by another version")
        }
    }
}
