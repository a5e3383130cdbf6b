import GRDB

extension Store {
    /// Appends samples in one transaction through one cached prepared statement — the hot
    /// path (see docs/store.md for the measured rate). Samples whose value is not finite
    /// (a sensor glitch parsed as NaN) are skipped: SQLite would store NaN as NULL and the
    /// whole batch would fail its NOT NULL. Returns the number of rows written.
    @discardableResult
    public func appendTelemetry(_ samples: [TelemetrySample]) throws(StoreError) -> Int {
        try write { db in try Store.insertTelemetry(samples, db) }
    }

    /// As `appendTelemetry`, suspending instead of blocking while the writer works, so the
    /// recorder's actor keeps taking samples meanwhile.
    func writeTelemetry(_ samples: [TelemetrySample]) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in try Store.insertTelemetry(samples, db) }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// A printer's samples from `sinceMS` on, oldest first.
    public func telemetry(printerID: String, sinceMS: Int64, limit: Int = 10_000) throws(StoreError) -> [TelemetrySample] {
        try read { db in
            try TelemetrySample
                .filter(TelemetrySample.Columns.printerID == printerID)
                .filter(TelemetrySample.Columns.atMS >= sinceMS)
                .order(TelemetrySample.Columns.atMS, TelemetrySample.Columns.id)
                .limit(limit)
                .fetchAll(db)
        }
    }

    /// The newest sample of each channel the printer reported in the minute before its
    /// newest sample, by channel name. A channel silent for longer is stale and left out;
    /// bounding the window keeps this an index range scan however long the history is.
    public func latestTelemetry(printerID: String) throws(StoreError) -> [TelemetrySample] {
        try read { db in
            // SQLite fills the bare columns from the row holding max(id) in each group.
            try TelemetrySample.fetchAll(db, sql: """
                SELECT printer_id, at_ms, channel, value, target, job_id, max(id)
                FROM telemetry
                WHERE printer_id = ?1 AND at_ms >= (
                    SELECT max(at_ms) FROM telemetry WHERE printer_id = ?1) - 60000
                GROUP BY channel
                ORDER BY channel
                """, arguments: [printerID])
        }
    }

    static func insertTelemetry(_ samples: [TelemetrySample], _ db: Database) throws -> Int {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO telemetry (printer_id, at_ms, channel, value, target, job_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        var written = 0
        for sample in samples where sample.value.isFinite {
            let target = sample.target.flatMap { $0.isFinite ? $0 : nil }
            try statement.execute(arguments: [
                sample.printerID, sample.atMS, sample.channel.rawValue, sample.value, target,
                sample.jobID,
            ])
            written += 1
        }
        return written
    }
}
