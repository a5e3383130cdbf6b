import GRDB

/// A message waiting for (or already given to) the fleet link.
///
/// Written in the same transaction as the change it reports, so the fleet can never miss a
/// job event the printer committed, nor hear of one it rolled back. `sequence` counts per
/// printer from 1 without gaps, which lets the fleet side detect loss and drop duplicates.
public struct OutboxMessage: Codable, Sendable, Equatable, Identifiable {
    /// What the payload is; an open set so the fleet work can add kinds without a migration.
    public struct Kind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// A job event; the payload is a `JobEventPayload`.
        public static let jobEvent = Kind(rawValue: "event")
        /// A job's record after a step, for the fleet's retained per-job topic; the payload
        /// is a `JobRecordPayload`.
        public static let jobRecord = Kind(rawValue: "job")
        /// A snapshot of the printer (state, temperatures, job progress), written by the
        /// daemon on every state change and at the fleet link's heartbeat.
        public static let status = Kind(rawValue: "status")
        /// Telemetry samples already in the `telemetry` table, in columns; the payload is a
        /// `TelemetryMessagePayload`.
        public static let telemetry = Kind(rawValue: "telemetry")
        /// The answer to a fleet command, as the command handler wrote it.
        public static let reply = Kind(rawValue: "reply")
        /// A calibration run of the printer, as `recordCalibration` kept it.
        public static let calibration = Kind(rawValue: "calibration")

        public var description: String { rawValue }
    }

    public var id: Int64?
    public var printerID: String
    public var sequence: Int64
    public var kind: Kind
    /// JSON; the schema checks it parses.
    public var payload: String
    public var createdAtMS: Int64
    /// Set by the fleet link once the broker acknowledged the message; until then retention
    /// never deletes it.
    public var deliveredAtMS: Int64?
    /// Set when the broker refused the message for good; it is not published again until
    /// retried (`Store.retryRefusedOutbox`).
    public var refusedAtMS: Int64?
    /// The broker's reason, as the fleet link logged it.
    public var refusal: String?

    enum CodingKeys: String, CodingKey {
        case id
        case printerID = "printer_id"
        case sequence
        case kind
        case payload
        case createdAtMS = "created_at_ms"
        case deliveredAtMS = "delivered_at_ms"
        case refusedAtMS = "refused_at_ms"
        case refusal
    }
}

extension OutboxMessage.Kind: DatabaseValueConvertible {}

extension OutboxMessage: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outbox"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let printerID = Column(CodingKeys.printerID)
        public static let sequence = Column(CodingKeys.sequence)
        public static let kind = Column(CodingKeys.kind)
        public static let payload = Column(CodingKeys.payload)
        public static let createdAtMS = Column(CodingKeys.createdAtMS)
        public static let deliveredAtMS = Column(CodingKeys.deliveredAtMS)
        public static let refusedAtMS = Column(CodingKeys.refusedAtMS)
        public static let refusal = Column(CodingKeys.refusal)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
