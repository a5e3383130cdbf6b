/// Where an `MQTTClient` stands, for status displays; `MQTTEvent`s report the changes.
public enum MQTTConnectionState: Sendable, Hashable {
    /// Created, not started.
    case idle
    /// Attempt `attempt` (counting from 1 since the last accepted connection) is under way.
    case connecting(attempt: Int, protocolVersion: MQTTProtocolVersion)
    case connected(MQTTConnection)
    /// The last attempt or connection failed with `error`; the next attempt starts after
    /// `delay`.
    case waitingToReconnect(delay: Duration, error: MQTTError)
    /// `stop()` was called; nothing more happens.
    case stopped
}
