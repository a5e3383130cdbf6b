/// A job as every view shows it — `printedge status`, `jobs list`, `jobs follow`, `watch` and
/// the job commands' replies — built by the daemon from one source (the printer's live job,
/// else the store), so two views of the same job never disagree. JSON keys: docs/control.md.
public struct JobSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var printer: String
    public var name: String
    /// queued, printing, paused, completed, failed, cancelled, interrupted, aborted.
    public var state: String
    /// What a printing or paused job is doing, finer than `state`: heating (waiting in an
    /// M109/M190 for a target), printing, pausing (parking the head after a pause), paused,
    /// resuming, cancelling, finishing (the last lines sent, waiting for their `ok`). `nil`
    /// for a job that is not running.
    public var phase: String?
    /// When `phase` began, milliseconds since the Unix epoch ("paused for 2 min").
    public var phaseSinceMS: Int64?
    public var sha256: String
    public var sizeBytes: Int64
    public var commands: Int
    public var layers: Int
    public var estimatedSeconds: Double?
    public var filamentMM: Double?
    public var acknowledgedSourceLine: Int
    public var acknowledgedBytes: Int64
    public var zMM: Double?
    /// 0-based.
    public var layer: Int?
    /// 0...1 by bytes handled.
    public var fraction: Double
    /// Seconds spent printing in this run, pauses left out: what the ETA is reckoned from.
    public var printingSeconds: Double?
    /// Seconds left; it stands still while the job is paused.
    public var etaSeconds: Double?
    public var failureReason: String?
    public var submittedAtMS: Int64
    /// When the job last started (a recovery restarts it).
    public var startedAtMS: Int64?
    public var endedAtMS: Int64?

    public init(id: Int64, printer: String, name: String, state: String, phase: String? = nil, phaseSinceMS: Int64? = nil,
                sha256: String, sizeBytes: Int64, commands: Int, layers: Int, estimatedSeconds: Double?, filamentMM: Double?,
                acknowledgedSourceLine: Int, acknowledgedBytes: Int64, zMM: Double?, layer: Int?, fraction: Double,
                printingSeconds: Double? = nil, etaSeconds: Double?, failureReason: String?, submittedAtMS: Int64,
                startedAtMS: Int64? = nil, endedAtMS: Int64?) {
        self.id = id
        self.printer = printer
        self.name = name
        self.state = state
        self.phase = phase
        self.phaseSinceMS = phaseSinceMS
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.commands = commands
        self.layers = layers
        self.estimatedSeconds = estimatedSeconds
        self.filamentMM = filamentMM
        self.acknowledgedSourceLine = acknowledgedSourceLine
        self.acknowledgedBytes = acknowledgedBytes
        self.zMM = zMM
        self.layer = layer
        self.fraction = fraction
        self.printingSeconds = printingSeconds
        self.etaSeconds = etaSeconds
        self.failureReason = failureReason
        self.submittedAtMS = submittedAtMS
        self.startedAtMS = startedAtMS
        self.endedAtMS = endedAtMS
    }

    /// The job's run is over: completed, failed, cancelled or aborted (an interrupted job
    /// waits for `jobs recover`, but nothing will happen to it by itself either).
    public var hasEnded: Bool {
        ["completed", "failed", "cancelled", "aborted", "interrupted"].contains(state)
    }

    enum CodingKeys: String, CodingKey {
        case id, printer, name, state, phase
        case phaseSinceMS = "phase_since"
        case sha256
        case sizeBytes = "size_bytes"
        case commands, layers
        case estimatedSeconds = "estimated_s"
        case filamentMM = "filament_mm"
        case acknowledgedSourceLine = "acknowledged_source_line"
        case acknowledgedBytes = "acknowledged_bytes"
        case zMM = "z_mm"
        case layer, fraction
        case printingSeconds = "printing_s"
        case etaSeconds = "eta_s"
        case failureReason = "failure_reason"
        case submittedAtMS = "submitted_at"
        case startedAtMS = "started_at"
        case endedAtMS = "ended_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(printer, forKey: .printer)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(phase, forKey: .phase)
        try container.encodeTime(phaseSinceMS, forKey: .phaseSinceMS)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(commands, forKey: .commands)
        try container.encode(layers, forKey: .layers)
        try container.encode(estimatedSeconds, forKey: .estimatedSeconds)
        try container.encode(filamentMM, forKey: .filamentMM)
        try container.encode(acknowledgedSourceLine, forKey: .acknowledgedSourceLine)
        try container.encode(acknowledgedBytes, forKey: .acknowledgedBytes)
        try container.encode(zMM, forKey: .zMM)
        try container.encode(layer, forKey: .layer)
        try container.encode(fraction, forKey: .fraction)
        try container.encode(printingSeconds, forKey: .printingSeconds)
        try container.encode(etaSeconds, forKey: .etaSeconds)
        try container.encode(failureReason, forKey: .failureReason)
        try container.encodeTime(submittedAtMS, forKey: .submittedAtMS)
        try container.encodeTime(startedAtMS, forKey: .startedAtMS)
        try container.encodeTime(endedAtMS, forKey: .endedAtMS)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(Int64.self, forKey: .id), printer: try container.decode(String.self, forKey: .printer),
            name: try container.decode(String.self, forKey: .name), state: try container.decode(String.self, forKey: .state),
            phase: try container.decodeIfPresent(String.self, forKey: .phase),
            phaseSinceMS: try container.decodeTimeIfPresent(forKey: .phaseSinceMS),
            sha256: try container.decode(String.self, forKey: .sha256), sizeBytes: try container.decode(Int64.self, forKey: .sizeBytes),
            commands: try container.decode(Int.self, forKey: .commands), layers: try container.decode(Int.self, forKey: .layers),
            estimatedSeconds: try container.decodeIfPresent(Double.self, forKey: .estimatedSeconds),
            filamentMM: try container.decodeIfPresent(Double.self, forKey: .filamentMM),
            acknowledgedSourceLine: try container.decode(Int.self, forKey: .acknowledgedSourceLine),
            acknowledgedBytes: try container.decode(Int64.self, forKey: .acknowledgedBytes),
            zMM: try container.decodeIfPresent(Double.self, forKey: .zMM), layer: try container.decodeIfPresent(Int.self, forKey: .layer),
            fraction: try container.decode(Double.self, forKey: .fraction),
            printingSeconds: try container.decodeIfPresent(Double.self, forKey: .printingSeconds),
            etaSeconds: try container.decodeIfPresent(Double.self, forKey: .etaSeconds),
            failureReason: try container.decodeIfPresent(String.self, forKey: .failureReason),
            submittedAtMS: try container.decodeTime(forKey: .submittedAtMS),
            startedAtMS: try container.decodeTimeIfPresent(forKey: .startedAtMS),
            endedAtMS: try container.decodeTimeIfPresent(forKey: .endedAtMS))
    }
}
