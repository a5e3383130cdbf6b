/// How much history the store keeps; `nil` means no limit of that kind.
///
/// Retention only ever deletes telemetry (oldest first) and fleet messages already
/// delivered. Jobs, their layers and events, and undelivered messages are never deleted:
/// they are the record of what the printers did and what the fleet has not heard yet.
public struct RetentionLimits: Sendable, Equatable {
    /// At most this many telemetry rows.
    public var maxTelemetryRows: Int?
    /// Telemetry and delivered fleet messages older than this go.
    public var maxAge: Duration?
    /// The database file (`page_count × page_size`) is brought under this size, deleting
    /// telemetry first, then delivered fleet messages.
    public var maxDatabaseBytes: Int64?

    public init(maxTelemetryRows: Int? = nil, maxAge: Duration? = nil, maxDatabaseBytes: Int64? = nil) {
        self.maxTelemetryRows = maxTelemetryRows
        self.maxAge = maxAge
        self.maxDatabaseBytes = maxDatabaseBytes
    }
}
