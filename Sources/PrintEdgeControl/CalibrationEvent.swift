import PrintEdgeCalibration

/// One line of a running calibration on the control socket (`calibrate.start`'s intermediate
/// and final replies): what it does, what it asks, how it ends. `progress` and `result` are
/// the session's own snake_case JSON, whose shape depends on the kind (PrintEdgeCalibration's
/// `Progress` and `Outcome` types).
public struct CalibrationEvent: Codable, Sendable, Equatable {
    public enum EventType: String, Codable, Sendable {
        /// The printer took the run; `kind` says what it is.
        case started
        /// Commands went to the printer; `step` says what they do ("homing").
        case step
        /// A report of the session (a PID cycle, a probe sample, a tramming round).
        case progress
        /// The person must answer (`calibrate.answer`); the run waits.
        case question
        /// The run ended with a result, stored as `record`.
        case finished
        /// The run ended without one; `failure` says why and what was done to leave the
        /// printer safe. Stored as `record` too.
        case failed
    }

    public var type: EventType
    public var printer: String
    public var kind: CalibrationKind
    public var step: String?
    public var progress: JSONValue?
    public var question: OperatorQuestion?
    public var result: JSONValue?
    public var failure: CalibrationFailure?
    /// The stored run (`calibrations.get`).
    public var record: Int64?
    /// The kinds this run made stale.
    public var invalidates: [CalibrationKind]?

    public init(type: EventType, printer: String, kind: CalibrationKind, step: String? = nil, progress: JSONValue? = nil,
                question: OperatorQuestion? = nil, result: JSONValue? = nil, failure: CalibrationFailure? = nil, record: Int64? = nil,
                invalidates: [CalibrationKind]? = nil) {
        self.type = type
        self.printer = printer
        self.kind = kind
        self.step = step
        self.progress = progress
        self.question = question
        self.result = result
        self.failure = failure
        self.record = record
        self.invalidates = invalidates
    }
}

/// A stored calibration run (`calibrations.list`, `calibrations.get`).
public struct CalibrationEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var printer: String
    public var kind: String
    /// `completed`, `failed` or `cancelled`.
    public var outcome: String
    public var atMS: Int64
    public var invalidates: [String]
    /// The result (or failure) as stored; only from `calibrations.get`.
    public var data: JSONValue?

    public init(id: Int64, printer: String, kind: String, outcome: String, atMS: Int64, invalidates: [String], data: JSONValue? = nil) {
        self.id = id
        self.printer = printer
        self.kind = kind
        self.outcome = outcome
        self.atMS = atMS
        self.invalidates = invalidates
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case id, printer, kind, outcome
        case atMS = "at"
        case invalidates, data
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(printer, forKey: .printer)
        try container.encode(kind, forKey: .kind)
        try container.encode(outcome, forKey: .outcome)
        try container.encodeTime(atMS, forKey: .atMS)
        try container.encode(invalidates, forKey: .invalidates)
        try container.encodeIfPresent(data, forKey: .data)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try container.decode(Int64.self, forKey: .id), printer: try container.decode(String.self, forKey: .printer),
                  kind: try container.decode(String.self, forKey: .kind), outcome: try container.decode(String.self, forKey: .outcome),
                  atMS: try container.decodeTime(forKey: .atMS), invalidates: try container.decode([String].self, forKey: .invalidates),
                  data: try container.decodeIfPresent(JSONValue.self, forKey: .data))
    }
}

/// The calibration a printer runs now, in `status`.
public struct CalibrationActivity: Codable, Sendable, Equatable {
    public var kind: CalibrationKind
    /// What its commands do now, or that it waits for an answer.
    public var step: String?
    public var waitingForAnswer: Bool

    public init(kind: CalibrationKind, step: String?, waitingForAnswer: Bool) {
        self.kind = kind
        self.step = step
        self.waitingForAnswer = waitingForAnswer
    }

    enum CodingKeys: String, CodingKey {
        case kind, step
        case waitingForAnswer = "waiting_for_answer"
    }
}

/// A kind's latest completed calibration, in `status`: stale once a later run invalidated it
/// (tramming → Z offset → mesh).
public struct CalibrationStandingStatus: Codable, Sendable, Equatable {
    public var kind: String
    public var record: Int64
    public var atMS: Int64
    public var stale: Bool
    /// The kind and record of the run that made it stale.
    public var staleSinceKind: String?
    public var staleSinceRecord: Int64?

    public init(kind: String, record: Int64, atMS: Int64, stale: Bool, staleSinceKind: String? = nil, staleSinceRecord: Int64? = nil) {
        self.kind = kind
        self.record = record
        self.atMS = atMS
        self.stale = stale
        self.staleSinceKind = staleSinceKind
        self.staleSinceRecord = staleSinceRecord
    }

    enum CodingKeys: String, CodingKey {
        case kind, record
        case atMS = "at"
        case stale
        case staleSinceKind = "stale_since_kind"
        case staleSinceRecord = "stale_since_record"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(record, forKey: .record)
        try container.encodeTime(atMS, forKey: .atMS)
        try container.encode(stale, forKey: .stale)
        try container.encodeIfPresent(staleSinceKind, forKey: .staleSinceKind)
        try container.encodeIfPresent(staleSinceRecord, forKey: .staleSinceRecord)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try container.decode(String.self, forKey: .kind), record: try container.decode(Int64.self, forKey: .record),
                  atMS: try container.decodeTime(forKey: .atMS), stale: try container.decode(Bool.self, forKey: .stale),
                  staleSinceKind: try container.decodeIfPresent(String.self, forKey: .staleSinceKind),
                  staleSinceRecord: try container.decodeIfPresent(Int64.self, forKey: .staleSinceRecord))
    }
}
