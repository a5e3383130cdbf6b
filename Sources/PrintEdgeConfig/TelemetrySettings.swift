/// How often printers are sampled, and how samples are batched into the database.
///
/// Sampling is faster while printing (progress and temperatures change by the second) than
/// while idle, where one sample in ten seconds keeps a quiet printer's history small.
/// Samples are written in batches, one transaction each, to spare the SD card of a Pi.
public struct TelemetrySettings: Sendable, Equatable {
    /// Between two samples while a job runs.
    public var sampleIntervalPrinting: Duration
    /// Between two samples while no job runs.
    public var sampleIntervalIdle: Duration
    /// `M155 S<n>`: seconds between the temperature reports Marlin sends unasked
    /// (AUTO_REPORT_TEMPERATURES); Marlin takes 1…60 (`AutoReporter::set_interval`'s limit).
    public var temperatureReportIntervalSeconds: Int
    /// A batch is written once it holds this many samples…
    public var batchMaxRows: Int
    /// …or once its oldest sample is this old, whichever comes first.
    public var batchMaxAge: Duration

    public init(
        sampleIntervalPrinting: Duration = .seconds(1), sampleIntervalIdle: Duration = .seconds(10),
        temperatureReportIntervalSeconds: Int = 1, batchMaxRows: Int = 200, batchMaxAge: Duration = .seconds(2)
    ) {
        self.sampleIntervalPrinting = sampleIntervalPrinting
        self.sampleIntervalIdle = sampleIntervalIdle
        self.temperatureReportIntervalSeconds = temperatureReportIntervalSeconds
        self.batchMaxRows = batchMaxRows
        self.batchMaxAge = batchMaxAge
    }

    /// Reads `[telemetry]`; absent keys keep the defaults of `init()`.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let defaults = TelemetrySettings()
        let printing: Double? = try table.optional("sample_interval_printing_s", .positive)
        let idle: Double? = try table.optional("sample_interval_idle_s", .positive)
        let report: Int? = try table.optional("temperature_report_interval_s", .within(1...60))
        let rows: Int? = try table.optional("batch_max_rows", .atLeast(1))
        let age: Double? = try table.optional("batch_max_age_s", .positive)
        try table.rejectUnknownKeys()
        self.init(
            sampleIntervalPrinting: printing.map { .seconds($0) } ?? defaults.sampleIntervalPrinting,
            sampleIntervalIdle: idle.map { .seconds($0) } ?? defaults.sampleIntervalIdle,
            temperatureReportIntervalSeconds: report ?? defaults.temperatureReportIntervalSeconds,
            batchMaxRows: rows ?? defaults.batchMaxRows,
            batchMaxAge: age.map { .seconds($0) } ?? defaults.batchMaxAge)
    }
}
