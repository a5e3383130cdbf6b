import Foundation

/// What `calibrate.start` asks for (docs/control.md): the kind and its parameters, snake_case
/// as the CLI's `--json` speaks. Parameters a kind does not use are refused by the daemon with
/// the kind's own checks; a key none of them reads is refused here.
public struct CalibrationRequest: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case pid
        case esteps
        case flow
        case probeAccuracy = "probe_accuracy"
        case zOffset = "zoffset"
        case mesh
        case tramming
        case settingsBackup = "settings_backup"
        case settingsRestore = "settings_restore"
    }

    public var kind: Kind
    // pid
    /// `hotend` (default), `bed` or `chamber`.
    public var heater: String?
    public var tool: Int?
    public var temperatureCelsius: Double?
    public var cycles: Int?
    public var fanPercent: Double?
    public var apply: Bool?
    /// `M500` and a read-back; implies `apply` (pid, esteps, zoffset, settings_restore).
    public var save: Bool?
    /// `firmware_final` (default) or `median_period_cycle`.
    public var choice: String?
    // esteps
    public var lengthMM: Double?
    public var markMM: Double?
    public var feedrateMMPerMinute: Double?
    // flow
    public var expectedWallMM: Double?
    public var measuredWallMM: Double?
    public var currentPercent: Double?
    // probe_accuracy, zoffset
    public var samples: Int?
    public var xMM: Double?
    public var yMM: Double?
    /// `babystep` (default) or `paper_test`.
    public var mode: String?
    public var startHeightMM: Double?
    public var belowZeroMM: Double?
    // mesh
    public var probeCount: Int?
    public var fromStored: Bool?
    /// Compare with the printer's previous mesh (`compare_record` names another one).
    public var compare: Bool?
    public var compareRecord: Int64?
    // tramming
    public var toleranceMM: Double?
    public var rounds: Int?
    /// `first` (default), `highest`, `lowest`, or a screw's name.
    public var reference: String?
    /// `probe`, `assisted` (G35) or `automatic` (default: G35 when the firmware has it).
    public var method: String?
    // settings_restore
    /// The stored snapshot (a `settings_backup` run, of this printer or another) to replay.
    public var snapshotRecord: Int64?

    public init(kind: Kind) {
        self.kind = kind
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, heater, tool
        case temperatureCelsius = "temperature_c"
        case cycles
        case fanPercent = "fan_percent"
        case apply, save, choice
        case lengthMM = "length_mm"
        case markMM = "mark_mm"
        case feedrateMMPerMinute = "feedrate_mm_per_min"
        case expectedWallMM = "expected_wall_mm"
        case measuredWallMM = "measured_wall_mm"
        case currentPercent = "current_percent"
        case samples
        case xMM = "x_mm"
        case yMM = "y_mm"
        case mode
        case startHeightMM = "start_height_mm"
        case belowZeroMM = "below_zero_mm"
        case probeCount = "probe_count"
        case fromStored = "from_stored"
        case compare
        case compareRecord = "compare_record"
        case toleranceMM = "tolerance_mm"
        case rounds, reference, method
        case snapshotRecord = "snapshot_record"
    }

    /// Why a `calibration` object cannot be read, naming the key.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String

        init(_ description: String) {
            self.description = description
        }
    }

    /// Reads the `calibration` object of a request: unknown keys and wrong types are named.
    init(json: JSONValue) throws(Invalid) {
        guard case .object(let members) = json else {
            throw Invalid("`calibration` must be an object such as {\"kind\": \"mesh\"}, found \(json.typeName)")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw Invalid("unknown key `calibration.\(unknown.key)`; a calibration's keys are \(CodingKeys.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))")
        }
        do {
            self = try JSONDecoder().decode(CalibrationRequest.self, from: Data(json.encoded))
        } catch let error as DecodingError {
            throw Invalid(Self.explain(error))
        } catch {
            throw Invalid("`calibration` cannot be read: \(error)")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            "calibration." + (context.codingPath + (key.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "`\(path(context, key))` is missing: \(key.stringValue == "kind" ? "one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))" : "it is required")"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "`\(path(context))` must be \(type == String.self ? "a string" : type == Bool.self ? "true or false" : type == Int.self || type == Int64.self ? "an integer" : "a number")"
        case .dataCorrupted(let context):
            if context.codingPath.last?.stringValue == "kind" {
                return "`calibration.kind` must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            return "`\(path(context))` cannot be read: \(context.debugDescription)"
        @unknown default:
            return "`calibration` cannot be read: \(error)"
        }
    }
}
