import GRDB

/// The result of a calibration run (PID tune, bed mesh, Z offset), kept per printer so the
/// latest of each kind can be re-applied after a firmware reset.
public struct CalibrationRecord: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64?
    public var printerID: String
    /// `pid_hotend`, `pid_bed`, `bed_mesh`, `z_offset`, … — the calibration work names them.
    public var kind: String
    /// The values, as JSON.
    public var dataJSON: String
    public var atMS: Int64

    public init(id: Int64? = nil, printerID: String, kind: String, dataJSON: String, atMS: Int64) {
        self.id = id
        self.printerID = printerID
        self.kind = kind
        self.dataJSON = dataJSON
        self.atMS = atMS
    }

    enum CodingKeys: String, CodingKey {
        case id
        case printerID = "printer_id"
        case kind
        case dataJSON = "data_json"
        case atMS = "at_ms"
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
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
