import CMosquitto

/// The MQTT protocol revision spoken on one connection.
public enum MQTTProtocolVersion: Sendable, Hashable, CustomStringConvertible {
    /// MQTT 3.1.1 (OASIS 2014): what older or embedded brokers speak. No reason codes on
    /// PUBACK, so a broker that refuses a publish by ACL still acknowledges it.
    case mqtt311
    /// MQTT 5 (OASIS 2019): reason codes on every acknowledgement, session expiry.
    case mqtt5

    /// The value for `MOSQ_OPT_PROTOCOL_VERSION`.
    var mosquittoValue: Int32 {
        switch self {
        case .mqtt311: Int32(MQTT_PROTOCOL_V311)
        case .mqtt5: Int32(MQTT_PROTOCOL_V5)
        }
    }

    public var description: String {
        switch self {
        case .mqtt311: "MQTT 3.1.1"
        case .mqtt5: "MQTT 5"
        }
    }
}
