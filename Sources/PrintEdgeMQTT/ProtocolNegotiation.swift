import CMosquitto

/// Picks the protocol revision for each connection attempt and decides, when an attempt ends
/// without an accepted CONNACK, whether the broker refused MQTT 5 (retry at once with 3.1.1)
/// or something else went wrong (back off and retry as before).
///
/// A broker refuses MQTT 5 in one of two ways, and libmosquitto 2.0 reports both as
/// `on_connect` with 132 (0x84, "unsupported protocol version"):
/// - an MQTT 5 broker configured against it sends an MQTT 5 CONNACK with reason 0x84;
/// - a 3.1.1-only broker sends a 3.1.1 CONNACK with return code 1, "unacceptable protocol
///   version", which is too short for MQTT 5 properties; libmosquitto recognises the case
///   and reports it as 0x84 (`handle__connack`). Both are exercised against a proxy in
///   `ProtocolFallbackTests`.
/// A broker that simply closes the socket is not taken as a refusal: that also happens on TLS
/// or network faults, and falling back on them would hide the real error.
struct ProtocolNegotiation {
    private enum State {
        /// Trying MQTT 5; a refusal of the version falls back to 3.1.1 when allowed.
        case offeringMQTT5(fallbackAllowed: Bool)
        /// Speaking 3.1.1, chosen up front or after the broker refused 5; final for the
        /// client's life, sparing every reconnect a refused attempt.
        case speakingMQTT311
    }

    /// What the connection loop does after an attempt that the broker did not accept.
    enum AttemptEndedAction: Equatable {
        /// The broker refused MQTT 5: try again at once with this version, no backoff.
        case retryImmediately(MQTTProtocolVersion)
        /// Any other failure: back off, then retry with the same version.
        case backOff
    }

    private var state: State

    init(preference: MQTTProtocolPreference) {
        switch preference {
        case .mqtt5WithFallback: state = .offeringMQTT5(fallbackAllowed: true)
        case .mqtt5Only: state = .offeringMQTT5(fallbackAllowed: false)
        case .mqtt311Only: state = .speakingMQTT311
        }
    }

    /// The version the next CONNECT is sent with.
    var version: MQTTProtocolVersion {
        switch state {
        case .offeringMQTT5: .mqtt5
        case .speakingMQTT311: .mqtt311
        }
    }

    /// An attempt ended without an accepted CONNACK; `connackCode` is the refusal `on_connect`
    /// reported, `nil` when no CONNACK came at all.
    mutating func attemptEnded(connackCode: Int32?) -> AttemptEndedAction {
        guard case .offeringMQTT5(fallbackAllowed: true) = state,
            connackCode == Int32(MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION.rawValue)
        else { return .backOff }
        state = .speakingMQTT311
        return .retryImmediately(.mqtt311)
    }
}
