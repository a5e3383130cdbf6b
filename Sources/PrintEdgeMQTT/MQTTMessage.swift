/// A message received on a subscription, copied out of libmosquitto's buffer (which is freed
/// when the callback returns).
public struct MQTTMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: MQTTQoS
    /// The broker's retained copy, delivered because this client just subscribed.
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    /// The payload read as UTF-8 (invalid bytes become U+FFFD).
    public var payloadText: String { String(decoding: payload, as: UTF8.self) }
}
