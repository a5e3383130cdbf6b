import PrintEdgeCore

/// The JSON body of an outbox message of kind `job`: a job's record as it stands after a
/// step, retained by the broker on the job's own topic so a dashboard that connects later
/// sees every job's last state without replaying events.
///
/// The spool path and the analysis stay local: they mean nothing off this host, and the
/// analysis can be tens of kilobytes.
public struct JobRecordPayload: Codable, Sendable, Equatable {
    public var jobID: Int64
    public var printerID: String
    public var name: String
    public var sha256: String
    public var sizeBytes: Int64
    public var commands: Int
    public var layers: Int
    public var estimatedSeconds: Double?
    public var filamentMM: Double?
    public var forced: Bool
    public var state: JobState
    public var failureReason: String?
    public var submittedAtMS: Int64
    public var startedAtMS: Int64?
    public var endedAtMS: Int64?
    /// How far the printer had acknowledged the file when the step was recorded.
    public var progress: Progress

    public struct Progress: Codable, Sendable, Equatable {
        public var lastAckedSourceLine: Int
        public var ackedBytes: Int64
        public var ackedCommands: Int
        public var zMM: Double?
        public var layer: Int?

        enum CodingKeys: String, CodingKey {
            case lastAckedSourceLine = "last_acked_source_line"
            case ackedBytes = "acked_bytes"
            case ackedCommands = "acked_commands"
            case zMM = "z_mm"
            case layer
        }
    }

    init(_ job: JobRecord, jobID: Int64) {
        self.jobID = jobID
        printerID = job.printerID
        name = job.name
        sha256 = job.sha256
        sizeBytes = job.sizeBytes
        commands = job.commands
        layers = job.layerCount
        estimatedSeconds = job.estimatedSeconds
        filamentMM = job.filamentMM
        forced = job.forced
        state = job.state
        failureReason = job.failureReason
        submittedAtMS = job.submittedAtMS
        startedAtMS = job.startedAtMS
        endedAtMS = job.endedAtMS
        progress = Progress(
            lastAckedSourceLine: job.lastAckedSourceLine, ackedBytes: job.lastAckedByte,
            ackedCommands: job.ackedCommands, zMM: job.currentZMM, layer: job.currentLayer)
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case printerID = "printer_id"
        case name, sha256
        case sizeBytes = "size_bytes"
        case commands, layers
        case estimatedSeconds = "estimated_s"
        case filamentMM = "filament_mm"
        case forced, state
        case failureReason = "failure_reason"
        case submittedAtMS = "submitted_at_ms"
        case startedAtMS = "started_at_ms"
        case endedAtMS = "ended_at_ms"
        case progress
    }
}
