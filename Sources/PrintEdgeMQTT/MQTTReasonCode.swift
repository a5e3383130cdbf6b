import CMosquitto

/// An MQTT 5 reason code from a CONNACK, PUBACK, SUBACK or DISCONNECT (OASIS MQTT 5.0, 2.4).
///
/// Values below 0x80 report success (for a SUBACK: the QoS granted); 0x80 and above report a
/// failure, such as 0x87 "not authorized" when the broker's ACL refuses a topic. MQTT 3.1.1
/// has no reason codes on PUBACK; its acknowledgements are reported as `success`.
public struct MQTTReasonCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    init(_ code: Int32) {
        rawValue = UInt8(truncatingIfNeeded: code)
    }

    public static let success = MQTTReasonCode(rawValue: 0x00)
    public static let unspecifiedError = MQTTReasonCode(rawValue: 0x80)
    public static let unsupportedProtocolVersion = MQTTReasonCode(rawValue: 0x84)
    public static let badUserNameOrPassword = MQTTReasonCode(rawValue: 0x86)
    public static let notAuthorized = MQTTReasonCode(rawValue: 0x87)
    public static let packetIdentifierInUse = MQTTReasonCode(rawValue: 0x91)
    public static let quotaExceeded = MQTTReasonCode(rawValue: 0x97)

    public var isFailure: Bool { rawValue >= 0x80 }

    /// libmosquitto's text for the code, with the code in hex as the specification lists it.
    public var description: String {
        let text = mosquitto_reason_string(Int32(rawValue)).map { String(cString: $0) } ?? "unknown reason"
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "\(text) (0x\(rawValue < 0x10 ? "0" : "")\(hex))"
    }
}
