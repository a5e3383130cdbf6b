import GRDB
import PrintEdgeCore

extension Store {
    /// Rows deleted per transaction: short enough that a job transition queued behind a
    /// retention pass waits milliseconds, not seconds.
    static let retentionChunkRows = 20_000

    /// Deletes telemetry, oldest first, and delivered fleet messages until the limits hold,
    /// then returns the freed pages to the filesystem (`PRAGMA incremental_vacuum`).
    ///
    /// Never deletes a job, a job event or an undelivered message (the schema refuses the
    /// latter two anyway); when only those are left over the size limit, the report's
    /// `shortfall` says so. The newest delivered message of each printer is kept, as it
    /// carries the sequence number the next message continues from.
    public func enforceRetention(_ limits: RetentionLimits, nowMS: Int64) throws(StoreError) -> RetentionReport {
        var report = RetentionReport()
        report.databaseBytesBefore = try databaseBytes()
        if let maxAge = limits.maxAge {
            let cutoffMS = nowMS - maxAge.nanosecondsClamped / 1_000_000
            report.telemetryRowsDeleted += try deleteInChunks(
                sql: "DELETE FROM telemetry WHERE id IN "
                    + "(SELECT id FROM telemetry WHERE at_ms < ? ORDER BY id LIMIT ?)",
                arguments: [cutoffMS], rows: .max)
            report.deliveredMessagesDeleted += try deleteInChunks(
                sql: Store.deleteDeliveredSQL(condition: "AND created_at_ms < ?"),
                arguments: [cutoffMS], rows: .max)
        }
        if let maxRows = limits.maxTelemetryRows {
            let excess = try telemetryRowCount() - maxRows
            if excess > 0 {
                report.telemetryRowsDeleted += try deleteInChunks(
                    sql: Store.deleteOldestTelemetrySQL, rows: excess)
            }
        }
        if let maxBytes = limits.maxDatabaseBytes {
            try shrink(to: maxBytes, report: &report)
        }
        if report.telemetryRowsDeleted + report.deliveredMessagesDeleted > 0 {
            try returnFreedSpace()
        }
        report.databaseBytesAfter = try databaseBytes()
        return report
    }

    private func shrink(to maxBytes: Int64, report: inout RetentionReport) throws(StoreError) {
        try returnFreedSpace()
        var bytes = try databaseBytes()
        var telemetryRows = try telemetryRowCount()
        while bytes > maxBytes, telemetryRows > 0 {
            // Telemetry is nearly all of the file: delete the share of rows that matches the
            // excess share of bytes, a quarter more for pages left partly full, and measure again.
            let share = Double(bytes - maxBytes) / Double(bytes) * 1.25
            let rows = min(max(Int(Double(telemetryRows) * share), 1_000), Store.retentionChunkRows)
            report.telemetryRowsDeleted += try deleteInChunks(
                sql: Store.deleteOldestTelemetrySQL, rows: rows)
            try returnFreedSpace()
            bytes = try databaseBytes()
            telemetryRows = try telemetryRowCount()
        }
        while bytes > maxBytes {
            let deleted = try deleteInChunks(
                sql: Store.deleteDeliveredSQL(condition: ""), rows: 1_000)
            guard deleted > 0 else { break }
            report.deliveredMessagesDeleted += deleted
            try returnFreedSpace()
            bytes = try databaseBytes()
        }
        if bytes > maxBytes {
            let undelivered = try read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE delivered_at_ms IS NULL") ?? 0
            }
            report.shortfall = "the database is \(bytes) bytes, over its limit of \(maxBytes), "
                + "with no telemetry or delivered fleet messages left to delete; jobs, job events "
                + "and the \(undelivered) undelivered fleet messages are never deleted — raise the "
                + "limit or restore the fleet link so the backlog drains"
        }
    }

    /// Runs a `DELETE … LIMIT ?` (its last parameter, after `arguments`) one chunk per
    /// transaction until it deletes fewer rows than asked or `rows` are gone; returns the
    /// rows deleted.
    func deleteInChunks(
        sql: String, arguments: StatementArguments = [], rows: Int
    ) throws(StoreError) -> Int {
        var deleted = 0
        while deleted < rows {
            let chunk = min(rows - deleted, Store.retentionChunkRows)
            let count = try write { db in
                try db.execute(sql: sql, arguments: arguments + [chunk])
                return db.changesCount
            }
            deleted += count
            if count < chunk { break }
        }
        return deleted
    }

    /// Hands free pages back to the filesystem and folds the WAL into the file so the
    /// space shows up on the device, not only inside SQLite.
    private func returnFreedSpace() throws(StoreError) {
        try writeWithoutTransaction { db in try db.execute(sql: "PRAGMA incremental_vacuum") }
        do {
            try checkpoint()
        } catch .busy {
            // A long read still uses the WAL; the next checkpoint truncates it.
        }
    }

    private func telemetryRowCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM telemetry") ?? 0 }
    }

    private static let deleteOldestTelemetrySQL =
        "DELETE FROM telemetry WHERE id IN (SELECT id FROM telemetry ORDER BY id LIMIT ?)"

    /// Delivered messages matching `condition`, oldest first, except each printer's newest.
    static func deleteDeliveredSQL(condition: String) -> String {
        """
        DELETE FROM outbox WHERE id IN (
            SELECT id FROM outbox AS o
            WHERE delivered_at_ms IS NOT NULL \(condition)
              AND sequence < (SELECT max(sequence) FROM outbox WHERE printer_id = o.printer_id)
            ORDER BY id LIMIT ?)
        """
    }
}
