/// What an `MQTTClient` reports, in the order it happened on the network thread.
public enum MQTTEvent: Sendable {
    /// The broker accepted CONNECT. Publishing works from here; remembered subscriptions have
    /// been sent again.
    case connected(MQTTConnection)
    /// The link is down, or an attempt failed; see `MQTTDisconnection` for what follows.
    case disconnected(MQTTDisconnection)
    /// A message arrived on a subscribed topic.
    case message(MQTTMessage)
    /// The broker's PUBACK for a QoS 1 publish: accepted, or refused with a reason code
    /// (MQTT 5). QoS 0 publishes have no acknowledgement and produce no event.
    case published(MQTTPublishAcknowledgement)
    /// The broker's SUBACK, one result per filter.
    case subscribed(MQTTSubscriptionAcknowledgement)
    /// The broker's UNSUBACK.
    case unsubscribed(messageID: MQTTMessageID, filters: [String])
}

/// An accepted connection.
public struct MQTTConnection: Sendable, Hashable {
    /// What was negotiated: MQTT 5, or 3.1.1 after the broker refused 5.
    public var protocolVersion: MQTTProtocolVersion
    /// The broker still had this client id's session (only with `cleanStart` off).
    public var sessionPresent: Bool

    public init(protocolVersion: MQTTProtocolVersion, sessionPresent: Bool) {
        self.protocolVersion = protocolVersion
        self.sessionPresent = sessionPresent
    }
}

/// The end of a connection, or of an attempt that never got one.
public struct MQTTDisconnection: Sendable, Hashable {
    /// What went wrong; `nil` when `stop()` asked for the disconnection.
    public var error: MQTTError?
    /// When the next attempt starts; `nil` when none follows (after `stop()`).
    public var reconnectDelay: Duration?
    /// QoS 1 messages published on this connection that were never acknowledged, in publish
    /// order. Their PUBACK will never come: the client drops libmosquitto's copy with the
    /// connection instead of resending it, so the caller republishes them (from its outbox)
    /// after the next `connected`, knowing exactly which ones.
    public var unacknowledgedMessageIDs: [MQTTMessageID]

    public init(error: MQTTError?, reconnectDelay: Duration?, unacknowledgedMessageIDs: [MQTTMessageID]) {
        self.error = error
        self.reconnectDelay = reconnectDelay
        self.unacknowledgedMessageIDs = unacknowledgedMessageIDs
    }
}
