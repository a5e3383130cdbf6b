/// MQTT's delivery guarantees, as far as printedge uses them.
///
/// QoS 2 is deliberately absent: every fleet message carries a per-printer sequence number, so
/// consumers already drop the duplicates at-least-once may produce, and exactly-once's extra
/// round trip (PUBREC/PUBREL/PUBCOMP) would halve the outbox's throughput for nothing.
public enum MQTTQoS: Int32, Sendable, Hashable, CustomStringConvertible {
    /// Fire and forget: no acknowledgement, lost if the link drops (live status, telemetry
    /// previews).
    case atMostOnce = 0
    /// Acknowledged by PUBACK; may arrive twice (everything from the outbox).
    case atLeastOnce = 1

    public var description: String { "QoS \(rawValue)" }
}
