import GRDB

extension Store {
    /// Makes every commit so far survive a power cut and returns the highest outbox row id it
    /// covers: the fleet link publishes no row above it.
    ///
    /// With `synchronous = NORMAL` a power cut can undo the last commits, and with them outbox
    /// rows; a row the fleet had seen would then be numbered again for another message. One
    /// commit under `synchronous = FULL` fsyncs the WAL file, and with it every frame written
    /// before: one fsync for however many rows, without copying pages into the database as a
    /// checkpoint does.
    public func makeOutboxDurable(atMS: Int64) throws(StoreError) -> Int64 {
        try writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var highest: Int64 = 0
            try db.inTransaction {
                highest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM outbox") ?? 0
                try db.execute(
                    sql: "UPDATE outbox_durability SET durable_through_id = ?, synced_at_ms = ? WHERE id = 1",
                    arguments: [highest, atMS])
                return .commit
            }
            return highest
        }
    }

    /// Deletes delivered messages acknowledged before `deliveredBeforeMS`, oldest first, in
    /// chunks; each printer's newest message stays (its sequence is where the next continues).
    /// Undelivered messages are never deleted (the schema refuses it too).
    @discardableResult
    public func deleteDeliveredOutbox(deliveredBeforeMS: Int64) throws(StoreError) -> Int {
        try deleteInChunks(
            sql: Store.deleteDeliveredSQL(condition: "AND delivered_at_ms < ?"), arguments: [deliveredBeforeMS],
            rows: .max)
    }

    /// The printer's messages still in the outbox, delivered or not, in sequence order: what
    /// the fleet was (or will be) sent, for tests and diagnostics.
    public func outbox(printerID: String, afterSequence: Int64 = 0, limit: Int = 1_000) throws(StoreError) -> [OutboxMessage] {
        try read { db in
            try OutboxMessage
                .filter(OutboxMessage.Columns.printerID == printerID)
                .filter(OutboxMessage.Columns.sequence > afterSequence)
                .order(OutboxMessage.Columns.sequence)
                .limit(limit)
                .fetchAll(db)
        }
    }

}

extension Store {
    /// Yields after every commit that added (or deleted) outbox rows, from any writer of this
    /// `Store`; delivery marks do not count. Wake-ups coalesce: a slow consumer sees one for
    /// many commits. Ends when the consumer stops iterating.
    public func outboxChanges() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // The region is the `sequence` column: inserts and deletes touch it, the
        // `delivered_at_ms` update of `markDelivered` does not.
        let observation = DatabaseRegionObservation(tracking: OutboxMessage.select(OutboxMessage.Columns.sequence))
        let cancellable = observation.start(
            in: pool, onError: { _ in continuation.finish() }, onChange: { _ in continuation.yield() })
        continuation.onTermination = { _ in cancellable.cancel() }
        return stream
    }
}
