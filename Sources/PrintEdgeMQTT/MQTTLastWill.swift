import CMosquitto

/// The message the broker publishes for a client whose connection dies without a DISCONNECT:
/// how the fleet learns that an agent went offline (power cut, network gone) although the
/// agent itself could say nothing. A clean `MQTTClient.stop()` does not trigger it.
public struct MQTTLastWill: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: MQTTQoS
    /// Retained, so a dashboard that connects later still sees the agent offline.
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = true) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    public init(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = true) {
        self.init(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    func validate() throws(MQTTError) {
        if mosquitto_pub_topic_check(topic) != MOSQ_ERR_SUCCESS.rawValue {
            throw .invalidOption(
                name: "lastWill.topic", problem: "\"\(topic)\" is not a topic to publish to (empty, or holds + or #)")
        }
        // libmosquitto refuses a will larger than one 16-bit length field.
        if payload.count > 65_535 {
            throw .invalidOption(name: "lastWill.payload", problem: "\(payload.count) bytes is over the 65535 allowed")
        }
    }
}
