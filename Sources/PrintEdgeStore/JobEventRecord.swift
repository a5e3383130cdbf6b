import GRDB
import PrintEdgeCore

/// One step in a job's life, kept forever: the schema refuses to update or delete it.
public struct JobEventRecord: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64?
    public var jobID: Int64
    public var printerID: String
    public var kind: JobEventKind
    /// `nil` for the submission, which has no state before it.
    public var fromState: JobState?
    public var toState: JobState
    /// For people: why it failed, who cancelled it, the last acknowledged line.
    public var detail: String?
    public var atMS: Int64

    public init(
        id: Int64? = nil, jobID: Int64, printerID: String, kind: JobEventKind,
        fromState: JobState?, toState: JobState, detail: String?, atMS: Int64
    ) {
        self.id = id
        self.jobID = jobID
        self.printerID = printerID
        self.kind = kind
        self.fromState = fromState
        self.toState = toState
        self.detail = detail
        self.atMS = atMS
    }

    enum CodingKeys: String, CodingKey {
        case id
        case jobID = "job_id"
        case printerID = "printer_id"
        case kind
        case fromState = "from_state"
        case toState = "to_state"
        case detail
        case atMS = "at_ms"
    }
}

extension JobEventRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_event"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let jobID = Column(CodingKeys.jobID)
        public static let printerID = Column(CodingKeys.printerID)
        public static let kind = Column(CodingKeys.kind)
        public static let fromState = Column(CodingKeys.fromState)
        public static let toState = Column(CodingKeys.toState)
        public static let detail = Column(CodingKeys.detail)
        public static let atMS = Column(CodingKeys.atMS)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
