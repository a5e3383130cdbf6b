/// Which protocol revision a client asks for.
public enum MQTTProtocolPreference: Sendable, Hashable {
    /// MQTT 5, and 3.1.1 for the rest of the client's life once a broker refuses 5.
    case mqtt5WithFallback
    /// MQTT 5 or nothing: for brokers known to speak it, so a refusal is reported, not hidden.
    case mqtt5Only
    /// MQTT 3.1.1 from the first attempt, sparing a 3.1.1-only broker the refused attempt.
    case mqtt311Only
}
