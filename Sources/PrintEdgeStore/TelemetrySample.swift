import GRDB

/// One reading of one channel of one printer.
public struct TelemetrySample: Codable, Sendable, Equatable {
    public var printerID: String
    /// When the printer reported it, in milliseconds since the Unix epoch.
    public var atMS: Int64
    public var channel: TelemetryChannel
    /// In the channel's unit (°C, mm, fraction); must be finite.
    public var value: Double
    /// The set point, for heaters.
    public var target: Double?
    /// The job printing when the sample was taken.
    public var jobID: Int64?

    public init(
        printerID: String, atMS: Int64, channel: TelemetryChannel, value: Double,
        target: Double? = nil, jobID: Int64? = nil
    ) {
        self.printerID = printerID
        self.atMS = atMS
        self.channel = channel
        self.value = value
        self.target = target
        self.jobID = jobID
    }

    enum CodingKeys: String, CodingKey {
        case printerID = "printer_id"
        case atMS = "at_ms"
        case channel, value, target
        case jobID = "job_id"
    }
}

extension TelemetrySample: FetchableRecord, TableRecord {
    public static let databaseTableName = "telemetry"

    public enum Columns {
        public static let id = Column("id")
        public static let printerID = Column(CodingKeys.printerID)
        public static let atMS = Column(CodingKeys.atMS)
        public static let channel = Column(CodingKeys.channel)
        public static let value = Column(CodingKeys.value)
        public static let target = Column(CodingKeys.target)
        public static let jobID = Column(CodingKeys.jobID)
    }
}
