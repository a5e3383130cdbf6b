/// What a backup copied (`backup` on the control socket, `printedge backup`).
public struct BackupReport: Codable, Sendable, Equatable {
    /// The database copied.
    public var database: String
    /// Where the copy went: the file the client named.
    public var path: String
    public var sizeBytes: Int64
    /// The copy's last migration (docs/store.md), which `printedge restore` checks.
    public var schema: String
    public var jobs: Int
    public var jobEvents: Int
    /// `PRAGMA integrity_check` of the copy: `ok`.
    public var integrity: String

    public init(database: String, path: String, sizeBytes: Int64, schema: String, jobs: Int, jobEvents: Int, integrity: String) {
        self.database = database
        self.path = path
        self.sizeBytes = sizeBytes
        self.schema = schema
        self.jobs = jobs
        self.jobEvents = jobEvents
        self.integrity = integrity
    }

    enum CodingKeys: String, CodingKey {
        case database, path
        case sizeBytes = "size_bytes"
        case schema, jobs
        case jobEvents = "job_events"
        case integrity
    }
}
