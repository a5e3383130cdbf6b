/// The packet identifier libmosquitto gives a PUBLISH, SUBSCRIBE or UNSUBSCRIBE, which the
/// broker's PUBACK, SUBACK or UNSUBACK names again.
///
/// Identifiers are 16-bit and libmosquitto counts them round (QoS 0 publishes draw from the
/// same counter), so one identifies a message only while it is unacknowledged: the fleet link
/// maps it back to its outbox row and forgets it on the acknowledgement.
public struct MQTTMessageID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// libmosquitto hands identifiers out as C `int`s in 1...65535.
    init(_ mid: Int32) {
        rawValue = UInt16(truncatingIfNeeded: mid)
    }

    public static func < (lhs: MQTTMessageID, rhs: MQTTMessageID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "message \(rawValue)" }
}
