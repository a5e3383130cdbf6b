/// How much history the daemon keeps before deleting the oldest telemetry: a Pi's SD card
/// is small and wears, so the database is bounded by rows, size and age at once, and
/// whichever limit is reached first trims it. Jobs and events are not trimmed by these.
public struct RetentionSettings: Sendable, Equatable {
    public var maxTelemetryRows: Int
    /// Size of the database file in MiB (1 MiB = 1 048 576 bytes).
    public var maxDatabaseMegabytes: Int
    public var maxTelemetryAgeDays: Int

    public init(maxTelemetryRows: Int = 2_000_000, maxDatabaseMegabytes: Int = 512, maxTelemetryAgeDays: Int = 30) {
        self.maxTelemetryRows = maxTelemetryRows
        self.maxDatabaseMegabytes = maxDatabaseMegabytes
        self.maxTelemetryAgeDays = maxTelemetryAgeDays
    }

    public var maxDatabaseBytes: Int { maxDatabaseMegabytes << 20 }

    /// Reads `[retention]`; absent keys keep the defaults of `init()`.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let defaults = RetentionSettings()
        let rows: Int? = try table.optional("max_telemetry_rows", .atLeast(1))
        let megabytes: Int? = try table.optional("max_database_mb", .within(1...1 << 20))
        let days: Int? = try table.optional("max_telemetry_age_days", .atLeast(1))
        try table.rejectUnknownKeys()
        self.init(
            maxTelemetryRows: rows ?? defaults.maxTelemetryRows,
            maxDatabaseMegabytes: megabytes ?? defaults.maxDatabaseMegabytes,
            maxTelemetryAgeDays: days ?? defaults.maxTelemetryAgeDays)
    }
}
