import PrintEdgeCore

/// The JSON body of an outbox message of kind `event`: a job event as the fleet sees it.
public struct JobEventPayload: Codable, Sendable, Equatable {
    /// The `job_event` row's id, stable across retries of the same message.
    public var eventID: Int64
    public var jobID: Int64
    public var printerID: String
    public var kind: JobEventKind
    public var from: JobState?
    public var to: JobState
    public var detail: String?
    public var atMS: Int64

    init(_ event: JobEventRecord, eventID: Int64) {
        self.eventID = eventID
        self.jobID = event.jobID
        self.printerID = event.printerID
        self.kind = event.kind
        self.from = event.fromState
        self.to = event.toState
        self.detail = event.detail
        self.atMS = event.atMS
    }

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case jobID = "job_id"
        case printerID = "printer_id"
        case kind, from, to, detail
        case atMS = "at_ms"
    }
}
