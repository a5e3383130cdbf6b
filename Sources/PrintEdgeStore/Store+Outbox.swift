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

    /// The printer's messages the fleet has not acknowledged yet, in sequence order; with
    /// `afterSequence`, only those after it (the fleet link's window, past what is in flight).
    public func undeliveredOutbox(printerID: String, afterSequence: Int64 = 0, limit: Int = 100) throws(StoreError) -> [OutboxMessage] {
        try read { db in
            try OutboxMessage
                .filter(OutboxMessage.Columns.printerID == printerID)
                .filter(OutboxMessage.Columns.deliveredAtMS == nil)
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
