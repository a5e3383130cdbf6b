import Logging

/// One message of printedged's log: what the handler writes and `printedge logs` reads back,
/// from the journal or from a plain file.
public struct LogRecord: Sendable, Equatable {
    public var level: Logger.Level
    /// The message, without its fields.
    public var text: String
    /// `printer`, `job` and any other fields the message carried, in the order written.
    public var fields: [LogField]
    /// When it was written, in milliseconds since the Unix epoch; `nil` when the source
    /// does not say.
    public var timeMS: Int64?
    /// The writing process, when the journal says.
    public var pid: Int32?

    public init(level: Logger.Level, text: String, fields: [LogField] = [], timeMS: Int64? = nil, pid: Int32? = nil) {
        self.level = level
        self.text = text
        self.fields = fields
        self.timeMS = timeMS
        self.pid = pid
    }

    /// The first field called `key`.
    public subscript(field key: String) -> String? {
        fields.first { $0.key == key }?.value
    }

    /// The line's body: its fields, then its text (`printer=mk3s job=12: paused`).
    public var body: String { LogLine.body(text: text, fields: fields) }
}

/// A named value attached to a message (`printer=mk3s`).
public struct LogField: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
