/// How telemetry already in the `telemetry` table is gathered into fleet messages: one
/// message holds at most `maxSamples` samples of one printer and one job, and none of its
/// samples waits longer than `maxAge` for its message.
///
/// Bigger messages cost the broker and the consumers less per sample (a message's envelope,
/// topic and acknowledgement are paid once); a smaller age makes dashboards livelier.
public struct FleetTelemetryLimits: Sendable, Equatable {
    public var maxSamples: Int
    public var maxAge: Duration

    public init(maxSamples: Int = 500, maxAge: Duration = .seconds(10)) {
        self.maxSamples = maxSamples
        self.maxAge = maxAge
    }

    var maxAgeMS: Int64 { maxAge.nanosecondsClamped / 1_000_000 }
}
