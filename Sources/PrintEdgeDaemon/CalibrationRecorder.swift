import PrintEdgeCalibration
import PrintEdgeControl
import PrintEdgeStore

/// Keeps a printer's calibration runs: a `calibration` row for each, and with a fleet link its
/// message (docs/mqtt.md, `calibration`), in one transaction.
struct CalibrationRecorder: Sendable {
    let store: Store
    let printerID: String

    /// The stored run's id; nil when the store refused it (the run still happened: the caller
    /// says so instead).
    func record(kind: CalibrationKind, outcome: CalibrationRecord.Outcome, data: JSONValue, invalidates: [CalibrationKind],
                atMS: Int64 = WallClock.nowMS()) throws(StoreError) -> Int64 {
        let record = CalibrationRecord(printerID: printerID, kind: kind.rawValue, dataJSON: CalibrationJSON.text(of: data), atMS: atMS,
                                       outcome: outcome, invalidates: invalidates.map(\.rawValue))
        let saved = try store.recordCalibration(record) { saved in
            var members: [(key: String, value: JSONValue)] = [
                ("calibration_id", .integer(saved.id ?? 0)), ("printer_id", .string(printerID)), ("kind", .string(kind.rawValue)),
                ("outcome", .string(outcome.rawValue)), ("at_ms", .integer(atMS)), ("invalidates", .array(invalidates.map { .string($0.rawValue) })),
            ]
            switch outcome {
            case .completed: members.append(("result", data))
            case .failed, .cancelled: members.append(("failure", data["failure"] ?? .null))
            }
            return CalibrationJSON.text(of: .object(members))
        }
        return saved.id ?? 0
    }
}
