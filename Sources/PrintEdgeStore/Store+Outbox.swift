import FoundationEssentials
import GRDB

extension Store {
    /// Queues a message for the fleet link on its own (telemetry summaries, printer status);
    /// job events get theirs from `transition` already.
    @discardableResult
    public func appendOutbox(
        printerID: String, kind: OutboxMessage.Kind, payload: String, atMS: Int64
    ) throws(StoreError) -> OutboxMessage {
        try write { db in
            try Store.requirePrinter(db, id: printerID)
            return try Store.enqueue(db, printerID: printerID, kind: kind, payload: payload, atMS: atMS)
        }
    }

    /// The printer's messages the fleet has not acknowledged yet and the broker has not
    /// refused, in sequence order; with `afterSequence`, only those after it (the fleet link's
    /// window, past what is in flight).
    public func undeliveredOutbox(printerID: String, afterSequence: Int64 = 0, limit: Int = 100) throws(StoreError) -> [OutboxMessage] {
        try read { db in
            try OutboxMessage
                .filter(OutboxMessage.Columns.printerID == printerID)
                .filter(OutboxMessage.Columns.deliveredAtMS == nil)
                .filter(OutboxMessage.Columns.refusedAtMS == nil)
                .filter(OutboxMessage.Columns.sequence > afterSequence)
                .order(OutboxMessage.Columns.sequence)
                .limit(limit)
                .fetchAll(db)
        }
    }

    /// Records the broker's acknowledgement; messages delivered before keep their first
    /// delivery time. Returns how many were newly marked.
    @discardableResult
    public func markDelivered(ids: [Int64], atMS: Int64) throws(StoreError) -> Int {
        try write { db in
            try OutboxMessage
                .filter(ids.contains(OutboxMessage.Columns.id))
                .filter(OutboxMessage.Columns.deliveredAtMS == nil)
                .updateAll(db, OutboxMessage.Columns.deliveredAtMS.set(to: atMS))
        }
    }

    /// Sets aside a message the broker refused for good: it stays undelivered (never
    /// deleted) but is not published again until `retryRefusedOutbox`. A message delivered
    /// meanwhile (a copy acknowledged earlier) stays delivered.
    public func markRefused(id: Int64, refusal: String, atMS: Int64) throws(StoreError) {
        try write { db in
            _ = try OutboxMessage
                .filter(key: id)
                .filter(OutboxMessage.Columns.deliveredAtMS == nil)
                .updateAll(db, OutboxMessage.Columns.refusedAtMS.set(to: atMS), OutboxMessage.Columns.refusal.set(to: refusal))
        }
    }

    /// Queues the refused messages again (one printer's, or every printer's with `nil`), once
    /// the broker's ACL allows them; returns how many.
    @discardableResult
    public func retryRefusedOutbox(printerID: String?) throws(StoreError) -> Int {
        try write { db in
            var refused = OutboxMessage.filter(OutboxMessage.Columns.refusedAtMS != nil)
            if let printerID { refused = refused.filter(OutboxMessage.Columns.printerID == printerID) }
            return try refused.updateAll(db, OutboxMessage.Columns.refusedAtMS.set(to: nil), OutboxMessage.Columns.refusal.set(to: nil))
        }
    }

    /// What the printer's fleet messages wait for: how many go out when the link is up (and
    /// since when the oldest waits), and how many the broker refused.
    public func outboxBacklog(printerID: String) throws(StoreError) -> OutboxBacklog {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE refused_at_ms IS NULL),
                       min(created_at_ms) FILTER (WHERE refused_at_ms IS NULL),
                       count(*) FILTER (WHERE refused_at_ms IS NOT NULL)
                FROM outbox WHERE printer_id = ? AND delivered_at_ms IS NULL
                """, arguments: [printerID])
            let latest = try OutboxMessage
                .filter(OutboxMessage.Columns.printerID == printerID)
                .filter(OutboxMessage.Columns.refusedAtMS != nil)
                .order(OutboxMessage.Columns.refusedAtMS.desc)
                .fetchOne(db)
            return OutboxBacklog(
                waiting: row?[0] ?? 0, oldestWaitingAtMS: row?[1], refused: row?[2] ?? 0,
                latestRefusal: latest.map { "message \($0.sequence) (\($0.kind)): \($0.refusal ?? "refused")" })
        }
    }

    /// Appends a message with the printer's next sequence number. Inside the caller's
    /// transaction, so max + 1 cannot race another writer, and a rollback takes the number
    /// back with it: sequences have no gaps.
    @discardableResult
    static func enqueue(
        _ db: Database, printerID: String, kind: OutboxMessage.Kind, payload: String, atMS: Int64
    ) throws -> OutboxMessage {
        let last = try Int64.fetchOne(
            db, sql: "SELECT max(sequence) FROM outbox WHERE printer_id = ?", arguments: [printerID])
        var message = OutboxMessage(
            id: nil, printerID: printerID, sequence: (last ?? 0) + 1, kind: kind, payload: payload,
            createdAtMS: atMS, deliveredAtMS: nil)
        try message.insert(db)
        return message
    }

    static func encodeJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
