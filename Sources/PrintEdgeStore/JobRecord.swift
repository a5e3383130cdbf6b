import GRDB
import PrintEdgeCore

/// A print job: the spooled file, what its analysis found, where it is in its life and
/// how far the printer has acknowledged it.
///
/// The progress columns (`lastAckedSourceLine`, `lastAckedByte`, `ackedCommands`,
/// `currentZMM`, `currentLayer`, `parkedZMM`) are what crash recovery starts from:
/// `currentLayer` is the one to resume, since no line of a later layer was ever sent.
public struct JobRecord: Codable, Sendable, Equatable, Identifiable {
    /// Assigned by the store on submission.
    public var id: Int64?
    public var printerID: String
    /// The file's name as submitted, for people.
    public var name: String
    /// The spooled copy the printer is fed from.
    public var spoolPath: String
    /// The spooled file's SHA-256, 64 lowercase hex digits.
    public var sha256: String
    public var sizeBytes: Int64
    /// G-code commands after normalisation (comments and blank lines dropped).
    public var commands: Int
    public var sourceLines: Int
    public var layerCount: Int
    public var estimatedSeconds: Double?
    public var filamentMM: Double?
    /// The analysis's bounding box, as JSON.
    public var boundingBoxJSON: String?
    /// The full analysis, as JSON.
    public var analysisJSON: String?
    /// Submitted despite a failed check (build volume, temperature limit).
    public var forced: Bool
    public var state: JobState
    /// Why the job failed or was aborted, for people.
    public var failureReason: String?
    public var submittedAtMS: Int64
    public var startedAtMS: Int64?
    public var endedAtMS: Int64?
    /// The 1-based line of the file whose command the printer last acknowledged.
    public var lastAckedSourceLine: Int
    /// The byte offset in the file just past that line.
    public var lastAckedByte: Int64
    public var ackedCommands: Int
    /// The Z the printer had reached with the last acknowledged line (moves it had planned
    /// included), logical.
    public var currentZMM: Double?
    /// The highest layer whose first line may have been sent: the stream holds before each
    /// layer until this is written, so the printer never started a later one.
    public var currentLayer: Int?
    /// The highest layer known printed at its height: an `M400` sent after its first
    /// extrusion was answered, so the head had physically come down to it. A recovery of a
    /// printer that lost its position declares this layer's height, never `currentLayer`'s,
    /// whose first move may still have been in the planner when the board reset.
    public var printedLayer: Int?
    /// While a paused job's head is parked (the park carried out), its Z, logical.
    public var parkedZMM: Double?
    /// Order in the printer's queue; the store assigns it on submission and on requeue.
    public var queuePosition: Int64

    /// A job about to be submitted: state, progress and queue position are the store's.
    public init(
        printerID: String, name: String, spoolPath: String, sha256: String, sizeBytes: Int64,
        commands: Int, sourceLines: Int, layerCount: Int,
        estimatedSeconds: Double? = nil, filamentMM: Double? = nil,
        boundingBoxJSON: String? = nil, analysisJSON: String? = nil,
        forced: Bool = false, submittedAtMS: Int64
    ) {
        self.id = nil
        self.printerID = printerID
        self.name = name
        self.spoolPath = spoolPath
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.commands = commands
        self.sourceLines = sourceLines
        self.layerCount = layerCount
        self.estimatedSeconds = estimatedSeconds
        self.filamentMM = filamentMM
        self.boundingBoxJSON = boundingBoxJSON
        self.analysisJSON = analysisJSON
        self.forced = forced
        self.state = .queued
        self.failureReason = nil
        self.submittedAtMS = submittedAtMS
        self.startedAtMS = nil
        self.endedAtMS = nil
        self.lastAckedSourceLine = 0
        self.lastAckedByte = 0
        self.ackedCommands = 0
        self.currentZMM = nil
        self.currentLayer = nil
        self.printedLayer = nil
        self.parkedZMM = nil
        self.queuePosition = 0
    }

    enum CodingKeys: String, CodingKey {
        case id
        case printerID = "printer_id"
        case name
        case spoolPath = "spool_path"
        case sha256
        case sizeBytes = "size_bytes"
        case commands
        case sourceLines = "source_lines"
        case layerCount = "layers"
        case estimatedSeconds = "estimated_s"
        case filamentMM = "filament_mm"
        case boundingBoxJSON = "bbox_json"
        case analysisJSON = "analysis_json"
        case forced
        case state
        case failureReason = "failure_reason"
        case submittedAtMS = "submitted_at_ms"
        case startedAtMS = "started_at_ms"
        case endedAtMS = "ended_at_ms"
        case lastAckedSourceLine = "last_acked_source_line"
        case lastAckedByte = "last_acked_byte"
        case ackedCommands = "acked_commands"
        case currentZMM = "current_z_mm"
        case currentLayer = "current_layer"
        case printedLayer = "printed_layer"
        case parkedZMM = "parked_z_mm"
        case queuePosition = "queue_position"
    }

    /// Applies the bookkeeping a step implies; the caller has checked the step is allowed.
    mutating func enter(_ next: JobState, detail: String?, atMS: Int64) {
        if next == .printing, startedAtMS == nil { startedAtMS = atMS }
        if next.endsRun { endedAtMS = atMS }
        if next == .failed || next == .aborted { failureReason = detail }
        if next == .queued { resetForRequeue() }
        if next == .printing { parkedZMM = nil }
        state = next
    }

    /// A requeued job prints again from its first line.
    private mutating func resetForRequeue() {
        failureReason = nil
        startedAtMS = nil
        endedAtMS = nil
        lastAckedSourceLine = 0
        lastAckedByte = 0
        ackedCommands = 0
        currentZMM = nil
        currentLayer = nil
        printedLayer = nil
        parkedZMM = nil
    }
}

extension JobRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let printerID = Column(CodingKeys.printerID)
        public static let name = Column(CodingKeys.name)
        public static let spoolPath = Column(CodingKeys.spoolPath)
        public static let sha256 = Column(CodingKeys.sha256)
        public static let sizeBytes = Column(CodingKeys.sizeBytes)
        public static let commands = Column(CodingKeys.commands)
        public static let sourceLines = Column(CodingKeys.sourceLines)
        public static let layerCount = Column(CodingKeys.layerCount)
        public static let estimatedSeconds = Column(CodingKeys.estimatedSeconds)
        public static let filamentMM = Column(CodingKeys.filamentMM)
        public static let boundingBoxJSON = Column(CodingKeys.boundingBoxJSON)
        public static let analysisJSON = Column(CodingKeys.analysisJSON)
        public static let forced = Column(CodingKeys.forced)
        public static let state = Column(CodingKeys.state)
        public static let failureReason = Column(CodingKeys.failureReason)
        public static let submittedAtMS = Column(CodingKeys.submittedAtMS)
        public static let startedAtMS = Column(CodingKeys.startedAtMS)
        public static let endedAtMS = Column(CodingKeys.endedAtMS)
        public static let lastAckedSourceLine = Column(CodingKeys.lastAckedSourceLine)
        public static let lastAckedByte = Column(CodingKeys.lastAckedByte)
        public static let ackedCommands = Column(CodingKeys.ackedCommands)
        public static let currentZMM = Column(CodingKeys.currentZMM)
        public static let currentLayer = Column(CodingKeys.currentLayer)
        public static let parkedZMM = Column(CodingKeys.parkedZMM)
        public static let queuePosition = Column(CodingKeys.queuePosition)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
