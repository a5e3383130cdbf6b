/// What one retention pass deleted, and whether the limits now hold.
public struct RetentionReport: Sendable, Equatable, CustomStringConvertible {
    public var telemetryRowsDeleted = 0
    public var deliveredMessagesDeleted = 0
    public var databaseBytesBefore: Int64 = 0
    public var databaseBytesAfter: Int64 = 0
    /// Why the size limit still does not hold, when only data retention never deletes is
    /// left; `nil` when every limit holds.
    public var shortfall: String?

    public var limitsMet: Bool { shortfall == nil }

    public var description: String {
        var text = "retention deleted \(telemetryRowsDeleted) telemetry rows and "
            + "\(deliveredMessagesDeleted) delivered fleet messages; the database went from "
            + "\(databaseBytesBefore) to \(databaseBytesAfter) bytes"
        if let shortfall { text += "; \(shortfall)" }
        return text
    }
}
