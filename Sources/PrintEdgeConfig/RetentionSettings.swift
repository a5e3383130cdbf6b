/// How much history the daemon keeps before deleting the oldest telemetry: a Pi's SD card
/// is small and wears, so the database is bounded by rows, size and age at once, and
/// whichever limit is reached first trims it. Jobs and events are not trimmed by these.
public struct RetentionSettings: Sendable, Equatable {
    public var maxTelemetryRows: Int
    /// Size of the database file in MiB (1 MiB = 1 048 576 bytes).
    public var maxDatabaseMegabytes: Int
    public var maxTelemetryAgeDays: Int
    /// A cap the database file never grows past, in MiB; `nil`: the file system's free space.
    /// Retention trims every ten minutes; this holds in between, so a burst or a stuck fleet
    /// link cannot fill the card the system and its logs live on. Past it, writes fail as on
    /// a full disk (docs/store.md): printing goes on, and recording resumes once there is room.
    public var databaseHardLimitMegabytes: Int?

    public init(maxTelemetryRows: Int = 2_000_000, maxDatabaseMegabytes: Int = 512, maxTelemetryAgeDays: Int = 30,
                databaseHardLimitMegabytes: Int? = nil) {
        self.maxTelemetryRows = maxTelemetryRows
        self.maxDatabaseMegabytes = maxDatabaseMegabytes
        self.maxTelemetryAgeDays = maxTelemetryAgeDays
        self.databaseHardLimitMegabytes = databaseHardLimitMegabytes
    }

    public var maxDatabaseBytes: Int { maxDatabaseMegabytes << 20 }
    public var databaseHardLimitBytes: Int? { databaseHardLimitMegabytes.map { $0 << 20 } }

    /// Reads `[retention]`; absent keys keep the defaults of `init()`.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let defaults = RetentionSettings()
        let rows: Int? = try table.optional("max_telemetry_rows", .atLeast(1))
        let megabytes: Int? = try table.optional("max_database_mb", .within(1...1 << 20))
        let days: Int? = try table.optional("max_telemetry_age_days", .atLeast(1))
        let hardLimit: Int? = try table.optional("database_hard_limit_mb", .within(1...1 << 20))
        try table.rejectUnknownKeys()
        let retained = megabytes ?? defaults.maxDatabaseMegabytes
        if let hardLimit, hardLimit < retained {
            throw table.invalid(
                "database_hard_limit_mb",
                "key `\(table.dotted("database_hard_limit_mb"))` is \(hardLimit) MiB, below max_database_mb (\(retained) MiB): retention could never keep the database under it; raise it or lower max_database_mb")
        }
        self.init(
            maxTelemetryRows: rows ?? defaults.maxTelemetryRows, maxDatabaseMegabytes: retained,
            maxTelemetryAgeDays: days ?? defaults.maxTelemetryAgeDays, databaseHardLimitMegabytes: hardLimit)
    }
}
