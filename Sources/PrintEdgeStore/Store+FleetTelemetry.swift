import GRDB

/// What one telemetry write left for the fleet: per printer, the time of the oldest sample
/// written but not yet in a fleet message. The recorder writes again once that is
/// `maxAge` old, even if no new sample came.
public typealias FleetTelemetryBacklog = [String: Int64]

extension Store {
    /// Forgets where each printer's fleet telemetry stopped, so a fleet link configured
    /// later starts with the samples of that day rather than everything since it was last on.
    /// The daemon calls it at start when `[mqtt]` is absent.
    public func forgetFleetTelemetryCursors() throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM fleet_telemetry_cursor") }
    }

    /// Writes samples as `writeTelemetry` does and, in the same transaction, gathers every
    /// printer's samples not yet sent into `telemetry` outbox messages within `limits`.
    func writeTelemetry(
        _ samples: [TelemetrySample], fleet limits: FleetTelemetryLimits, nowMS: Int64
    ) async throws(StoreError) -> (written: Int, backlog: FleetTelemetryBacklog) {
        do {
            return try await pool.write { db in
                let baseline = try Int64.fetchOne(db, sql: "SELECT max(id) FROM telemetry") ?? 0
                let written = try Store.insertTelemetry(samples, db)
                let backlog = try Store.enqueueTelemetryMessages(
                    db, limits: limits, nowMS: nowMS, printers: Set(samples.map(\.printerID)), baseline: baseline)
                return (written, backlog)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// For each printer with a cursor (and each of `printers`, whose cursor starts at
    /// `baseline`, the last row before this batch): the rows after its cursor, split at job
    /// changes and every `maxSamples`, become messages. A last, partial message waits for
    /// more samples until its oldest is `maxAge` old. Printers the store does not know are
    /// skipped: their samples stay local (the outbox needs a real printer).
    static func enqueueTelemetryMessages(
        _ db: Database, limits: FleetTelemetryLimits, nowMS: Int64, printers: Set<String>, baseline: Int64
    ) throws -> FleetTelemetryBacklog {
        var cursors: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT printer_id, last_telemetry_id FROM fleet_telemetry_cursor") {
            cursors[row[0]] = row[1]
        }
        var backlog: FleetTelemetryBacklog = [:]
        for printerID in Set(cursors.keys).union(printers).sorted() {
            guard try PrinterRecord.exists(db, key: printerID) else { continue }
            let cursor = cursors[printerID] ?? baseline
            let rows = try FleetTelemetryRow.after(cursor, printerID: printerID, db)
            var sent = cursor
            var start = rows.startIndex
            while start < rows.endIndex {
                var end = start + 1
                while end < rows.endIndex, end - start < limits.maxSamples, rows[end].jobID == rows[start].jobID {
                    end += 1
                }
                let complete = end < rows.endIndex || end - start == limits.maxSamples
                    || nowMS - rows[start].atMS >= limits.maxAgeMS
                guard complete else {
                    backlog[printerID] = rows[start].atMS
                    break
                }
                let payload = TelemetryMessagePayload(samples: rows[start..<end])
                try enqueue(db, printerID: printerID, kind: .telemetry, payload: try encodeJSON(payload), atMS: nowMS)
                sent = rows[end - 1].id
                start = end
            }
            if sent != cursors[printerID] {
                try db.execute(
                    sql: """
                        INSERT INTO fleet_telemetry_cursor (printer_id, last_telemetry_id) VALUES (?, ?)
                        ON CONFLICT (printer_id) DO UPDATE SET last_telemetry_id = excluded.last_telemetry_id
                        """,
                    arguments: [printerID, sent])
            }
        }
        return backlog
    }
}

extension FleetTelemetryRow {
    static let afterCursorSQL = """
        SELECT id, at_ms, channel, value, target, job_id FROM telemetry
        WHERE id > ? AND +printer_id = ? ORDER BY id
        """

    /// The printer's rows after `id`, oldest first. A range of the rowid, then the printer:
    /// the unary `+` keeps SQLite off the `(printer_id, at_ms)` index, which would visit the
    /// printer's whole history and sort it, on every batch.
    static func after(_ id: Int64, printerID: String, _ db: Database) throws -> [FleetTelemetryRow] {
        let statement = try db.cachedStatement(sql: afterCursorSQL)
        return try Row.fetchAll(statement, arguments: [id, printerID]).map { row in
            FleetTelemetryRow(id: row[0], atMS: row[1], channel: row[2], value: row[3], target: row[4], jobID: row[5])
        }
    }
}
