import GRDB

/// A configured printer, one row per `[printer.ID]` section of the configuration.
///
/// Jobs, events and fleet messages reference it, so it is written before anything else
/// about that printer (`Store.upsertPrinter` at daemon start).
public struct PrinterRecord: Codable, Sendable, Equatable, Identifiable {
    /// The configuration's printer id, stable across restarts and renames.
    public var id: String
    public var name: String
    /// The serial device, e.g. `/dev/serial/by-id/usb-Prusa_…`.
    public var port: String
    /// The printer profile's name (build volume, heater limits).
    public var profile: String
    /// `FIRMWARE_NAME` from the last `M115`, once connected.
    public var firmwareName: String?
    /// The last `M115` reply's fields and capabilities, as JSON.
    public var firmwareJSON: String?
    /// The daemon's word for the printer's condition (`offline`, `idle`, `printing`, …); the
    /// store keeps it for status queries and does not interpret it.
    public var state: String
    public var updatedAtMS: Int64

    public init(
        id: String, name: String, port: String, profile: String,
        firmwareName: String? = nil, firmwareJSON: String? = nil,
        state: String, updatedAtMS: Int64
    ) {
        self.id = id
        self.name = name
        self.port = port
        self.profile = profile
        self.firmwareName = firmwareName
        self.firmwareJSON = firmwareJSON
        self.state = state
        self.updatedAtMS = updatedAtMS
    }

    enum CodingKeys: String, CodingKey {
        case id, name, port, profile
        case firmwareName = "firmware_name"
        case firmwareJSON = "firmware_json"
        case state
        case updatedAtMS = "updated_at_ms"
    }
}

extension PrinterRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "printer"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let name = Column(CodingKeys.name)
        public static let port = Column(CodingKeys.port)
        public static let profile = Column(CodingKeys.profile)
        public static let firmwareName = Column(CodingKeys.firmwareName)
        public static let firmwareJSON = Column(CodingKeys.firmwareJSON)
        public static let state = Column(CodingKeys.state)
        public static let updatedAtMS = Column(CodingKeys.updatedAtMS)
    }
}
