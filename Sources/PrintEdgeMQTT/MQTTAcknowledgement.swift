/// The broker's PUBACK for one QoS 1 publish.
public struct MQTTPublishAcknowledgement: Sendable, Hashable {
    public var messageID: MQTTMessageID
    /// MQTT 5: success (0x00), no matching subscribers (0x10), or a refusal such as 0x87 "not
    /// authorized" from an ACL. MQTT 3.1.1 has no reason codes: always success, even when the
    /// broker dropped the message by ACL.
    public var reasonCode: MQTTReasonCode

    public init(messageID: MQTTMessageID, reasonCode: MQTTReasonCode) {
        self.messageID = messageID
        self.reasonCode = reasonCode
    }

    /// Whether the broker took responsibility for the message; an outbox row is delivered
    /// only then.
    public var isAccepted: Bool { !reasonCode.isFailure }
}

/// The broker's SUBACK for one SUBSCRIBE.
public struct MQTTSubscriptionAcknowledgement: Sendable, Hashable {
    public var messageID: MQTTMessageID
    public var results: [MQTTSubscriptionResult]

    public init(messageID: MQTTMessageID, results: [MQTTSubscriptionResult]) {
        self.messageID = messageID
        self.results = results
    }
}

/// How the broker answered the subscription to one filter.
public struct MQTTSubscriptionResult: Sendable, Hashable {
    public var filter: String
    /// The granted QoS (0x00, 0x01), or a refusal: 0x80 in 3.1.1, a reason code such as 0x87
    /// "not authorized" in MQTT 5.
    public var reasonCode: MQTTReasonCode

    public init(filter: String, reasonCode: MQTTReasonCode) {
        self.filter = filter
        self.reasonCode = reasonCode
    }

    /// `nil` when refused. A refused filter is forgotten, not sent again on reconnect.
    public var grantedQoS: MQTTQoS? {
        reasonCode.isFailure ? nil : MQTTQoS(rawValue: Int32(min(reasonCode.rawValue, 1)))
    }
}
