/// `jobs.show`: one job as every view shows it, with everything that happened to it.
public struct JobHistory: Codable, Sendable, Equatable {
    public var job: JobSummary
    /// Oldest first.
    public var events: [Event]
    /// Whether its spooled file is still there (`jobs reprint` needs it).
    public var fileKept: Bool

    public init(job: JobSummary, events: [Event], fileKept: Bool) {
        self.job = job
        self.events = events
        self.fileKept = fileKept
    }

    enum CodingKeys: String, CodingKey {
        case job, events
        case fileKept = "file_kept"
    }

    /// One step of the job (`job_event`): submitted, started, paused, … with why.
    public struct Event: Codable, Sendable, Equatable {
        /// submitted, started, paused, resumed, completed, failed, cancelled, interrupted,
        /// aborted, recovered, requeued, gcode_forced.
        public var kind: String
        /// The state before (`null` for `submitted`) and after.
        public var fromState: String?
        public var toState: String
        public var detail: String?
        public var atMS: Int64

        public init(kind: String, fromState: String?, toState: String, detail: String?, atMS: Int64) {
            self.kind = kind
            self.fromState = fromState
            self.toState = toState
            self.detail = detail
            self.atMS = atMS
        }

        enum CodingKeys: String, CodingKey {
            case kind, detail
            case fromState = "from_state"
            case toState = "to_state"
            case atMS = "at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(fromState, forKey: .fromState)
            try container.encode(toState, forKey: .toState)
            try container.encode(detail, forKey: .detail)
            try container.encodeTime(atMS, forKey: .atMS)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(kind: try container.decode(String.self, forKey: .kind),
                      fromState: try container.decodeIfPresent(String.self, forKey: .fromState),
                      toState: try container.decode(String.self, forKey: .toState),
                      detail: try container.decodeIfPresent(String.self, forKey: .detail), atMS: try container.decodeTime(forKey: .atMS))
        }
    }
}
