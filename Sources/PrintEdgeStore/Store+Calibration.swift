import FoundationEssentials
import GRDB

extension Store {
    /// Records a run; with a fleet link its message (kind `calibration`, `payload` as the
    /// daemon built it around the record's id) is queued in the same transaction, so the fleet
    /// hears of exactly the runs the store kept.
    @discardableResult
    public func recordCalibration(
        _ calibration: CalibrationRecord, fleetPayload: ((CalibrationRecord) -> String?)? = nil
    ) throws(StoreError) -> CalibrationRecord {
        let feedsFleet = self.feedsFleet
        return try write { db in
            try Store.requirePrinter(db, id: calibration.printerID)
            var saved = calibration
            try saved.insert(db)
            if feedsFleet, let payload = fleetPayload?(saved) {
                try Store.enqueue(db, printerID: saved.printerID, kind: .calibration, payload: payload, atMS: saved.atMS)
            }
            return saved
        }
    }

    /// The most recent completed result of one kind for a printer, the one to compare with
    /// or re-apply.
    public func latestCalibration(printerID: String, kind: String) throws(StoreError) -> CalibrationRecord? {
        try read { db in
            try CalibrationRecord
                .filter(CalibrationRecord.Columns.printerID == printerID)
                .filter(CalibrationRecord.Columns.kind == kind)
                .filter(CalibrationRecord.Columns.outcome == CalibrationRecord.Outcome.completed)
                .order(CalibrationRecord.Columns.id.desc)
                .fetchOne(db)
        }
    }

    public func calibration(id: Int64) throws(StoreError) -> CalibrationRecord? {
        try read { db in try CalibrationRecord.fetchOne(db, key: id) }
    }

    /// Runs newest first, of one printer or all, of some kinds or all.
    public func calibrations(printerID: String?, kinds: Set<String>? = nil, limit: Int = 50) throws(StoreError) -> [CalibrationRecord] {
        try read { db in
            var request = CalibrationRecord.all()
            if let printerID { request = request.filter(CalibrationRecord.Columns.printerID == printerID) }
            if let kinds { request = request.filter(kinds.contains(CalibrationRecord.Columns.kind)) }
            return try request.order(CalibrationRecord.Columns.id.desc).limit(max(1, limit)).fetchAll(db)
        }
    }

    /// For each kind the printer has a completed result of: the latest, and whether a later
    /// completed run invalidated it (tramming → Z offset → mesh, as Klipper documents).
    /// Ordered by row id, which follows the order runs ended in.
    public func calibrationStandings(printerID: String) throws(StoreError) -> [CalibrationStanding] {
        try read { db in
            let latest = try Row.fetchAll(db, sql: """
                SELECT kind, max(id) AS id FROM calibration
                WHERE printer_id = ? AND outcome = 'completed' GROUP BY kind ORDER BY kind
                """, arguments: [printerID])
            guard let oldest = latest.map({ $0["id"] as Int64 }).min() else { return [] }
            // Only runs after the oldest latest result can make anything stale.
            let invalidating = try Row.fetchAll(db, sql: """
                SELECT id, kind, invalidates_json FROM calibration
                WHERE printer_id = ? AND outcome = 'completed' AND id > ? AND invalidates_json <> '[]' ORDER BY id
                """, arguments: [printerID, oldest])
            let runs: [(id: Int64, kind: String, invalidates: [String])] = invalidating.map { row in
                (row["id"], row["kind"], CalibrationRecord.kinds(inJSON: row["invalidates_json"]))
            }
            return try latest.map { row in
                let kind: String = row["kind"]
                let id: Int64 = row["id"]
                let at = try Int64.fetchOne(db, sql: "SELECT at_ms FROM calibration WHERE id = ?", arguments: [id]) ?? 0
                let stale = runs.first { $0.id > id && $0.invalidates.contains(kind) }
                return CalibrationStanding(kind: kind, recordID: id, atMS: at, staleSince: stale.map { ($0.kind, $0.id) })
            }
        }
    }
}
