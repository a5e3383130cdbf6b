import FoundationEssentials
import GRDB

/// One calibration run of a printer (PID tune, mesh, Z offset, settings backup, …), kept
/// whatever its end: the result of a completed run is what `printedge calibrate` compares
/// with and restores from; a failed or cancelled one says why.
public struct CalibrationRecord: Codable, Sendable, Equatable, Identifiable {
    /// How a run ended.
    public enum Outcome: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case completed
        case failed
        case cancelled
    }

    public var id: Int64?
    public var printerID: String
    /// `pid_hotend`, `pid_bed`, `bed_mesh`, `z_offset`, … (`CalibrationKind`).
    public var kind: String
    /// The result (snake_case JSON, settings before and after included) or the failure.
    public var dataJSON: String
    public var atMS: Int64
    public var outcome: Outcome
    /// The kinds whose earlier results this run made stale (completed runs only).
    public var invalidates: [String] {
        get { Self.kinds(inJSON: invalidatesJSON) }
        set { invalidatesJSON = (try? Store.encodeJSON(newValue)) ?? "[]" }
    }
    private var invalidatesJSON: String

    public init(id: Int64? = nil, printerID: String, kind: String, dataJSON: String, atMS: Int64, outcome: Outcome = .completed,
                invalidates: [String] = []) {
        self.id = id
        self.printerID = printerID
        self.kind = kind
        self.dataJSON = dataJSON
        self.atMS = atMS
        self.outcome = outcome
        invalidatesJSON = "[]"
        self.invalidates = invalidates
    }

    static func kinds(inJSON json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case id
        case printerID = "printer_id"
        case kind
        case dataJSON = "data_json"
        case atMS = "at_ms"
        case outcome
        case invalidatesJSON = "invalidates_json"
    }
}

extension CalibrationRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "calibration"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let printerID = Column(CodingKeys.printerID)
        public static let kind = Column(CodingKeys.kind)
        public static let dataJSON = Column(CodingKeys.dataJSON)
        public static let atMS = Column(CodingKeys.atMS)
        public static let outcome = Column(CodingKeys.outcome)
        public static let invalidatesJSON = Column(CodingKeys.invalidatesJSON)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A kind's latest completed result, and whether a later run made it stale.
public struct CalibrationStanding: Sendable, Equatable {
    public var kind: String
    /// The latest completed run of the kind.
    public var recordID: Int64
    public var atMS: Int64
    /// The first later completed run that invalidated it, if any: its kind and id.
    public var staleSince: (kind: String, recordID: Int64)?

    public var isStale: Bool { staleSince != nil }

    public static func == (lhs: CalibrationStanding, rhs: CalibrationStanding) -> Bool {
        lhs.kind == rhs.kind && lhs.recordID == rhs.recordID && lhs.atMS == rhs.atMS
            && lhs.staleSince?.kind == rhs.staleSince?.kind && lhs.staleSince?.recordID == rhs.staleSince?.recordID
    }
}
