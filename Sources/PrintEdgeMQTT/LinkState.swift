/// What the caller's threads and the network thread share about one client: the connection
/// phase, the current libmosquitto handle, the QoS 1 messages awaiting PUBACK and the
/// subscriptions to restore. Only ever used under `SharedLink`'s mutex.
struct LinkState {
    enum Phase {
        /// Created, `start()` not called yet.
        case idle
        /// DNS and TCP connect under way inside libmosquitto (a blocking call); no handle is
        /// visible yet, so `stop()` cannot interrupt it and does not wait for it.
        case connecting(attempt: Int, version: MQTTProtocolVersion)
        /// CONNECT queued, waiting for the TLS handshake and CONNACK; `stop()` may send
        /// DISCONNECT on `handle`.
        case awaitingConnack(attempt: Int, version: MQTTProtocolVersion, handle: MosquittoHandle)
        /// Accepted: publishing and subscribing go to `handle`.
        case connected(MQTTConnection, handle: MosquittoHandle)
        /// Sleeping between attempts.
        case waitingToReconnect(delay: Duration, error: MQTTError)
        /// The network thread has ended, or never started and never will.
        case stopped
    }

    /// Half the 16-bit identifier space: QoS 0 publishes and subscriptions draw from the same
    /// counter, so this keeps an unacknowledged identifier from being handed out again.
    static let maximumUnacknowledged = 32_768

    var phase = Phase.idle
    var isStarted = false
    var isStopRequested = false
    /// `stop()` found the thread inside a blocking connect, reported the stop itself and did
    /// not wait; the thread exits quietly when the connect returns.
    var isAbandoned = false
    var stopWaiters: [CheckedContinuation<Void, Never>] = []

    /// QoS 1 messages published on the current connection and not yet acknowledged, with the
    /// order they were published in.
    private var unacknowledged: [MQTTMessageID: UInt64] = [:]
    private var publishCount: UInt64 = 0
    /// Filters to subscribe on every connect, in the order first asked for.
    private(set) var subscriptions: [(filter: String, qos: MQTTQoS)] = []
    private var subscribeRequests: [MQTTMessageID: [String]] = [:]
    private var unsubscribeRequests: [MQTTMessageID: [String]] = [:]

    /// The handle requests go to; `nil` unless a connection is accepted.
    var connectedHandle: MosquittoHandle? {
        guard case .connected(_, let handle) = phase else { return nil }
        return handle
    }

    var connectionState: MQTTConnectionState {
        if isStopRequested { return .stopped }
        switch phase {
        case .idle: return .idle
        case .connecting(let attempt, let version), .awaitingConnack(let attempt, let version, _):
            return .connecting(attempt: attempt, protocolVersion: version)
        case .connected(let connection, _): return .connected(connection)
        case .waitingToReconnect(let delay, let error): return .waitingToReconnect(delay: delay, error: error)
        case .stopped: return .stopped
        }
    }

    var unacknowledgedCount: Int { unacknowledged.count }

    var unacknowledgedMessageIDs: [MQTTMessageID] {
        unacknowledged.sorted { $0.value < $1.value }.map(\.key)
    }

    mutating func published(_ messageID: MQTTMessageID, qos: MQTTQoS) {
        guard qos == .atLeastOnce else { return }
        unacknowledged[messageID] = publishCount
        publishCount += 1
    }

    /// Whether `messageID` was awaiting its PUBACK (QoS 0 publishes never were).
    mutating func acknowledged(_ messageID: MQTTMessageID) -> Bool {
        unacknowledged.removeValue(forKey: messageID) != nil
    }

    /// The connection is gone: returns every identifier still awaiting PUBACK, in publish
    /// order, and forgets them and the pending SUBACKs and UNSUBACKs, as libmosquitto's copies
    /// are destroyed with the handle.
    mutating func endConnection() -> [MQTTMessageID] {
        let pending = unacknowledgedMessageIDs
        unacknowledged.removeAll(keepingCapacity: true)
        subscribeRequests.removeAll()
        unsubscribeRequests.removeAll()
        return pending
    }

    mutating func remember(filter: String, qos: MQTTQoS) {
        if let index = subscriptions.firstIndex(where: { $0.filter == filter }) {
            subscriptions[index].qos = qos
        } else {
            subscriptions.append((filter, qos))
        }
    }

    mutating func forget(filters: [String]) {
        subscriptions.removeAll { filters.contains($0.filter) }
    }

    mutating func subscribeSent(_ messageID: MQTTMessageID, filters: [String]) {
        subscribeRequests[messageID] = filters
    }

    mutating func subscribeAcknowledged(_ messageID: MQTTMessageID) -> [String]? {
        subscribeRequests.removeValue(forKey: messageID)
    }

    mutating func unsubscribeSent(_ messageID: MQTTMessageID, filters: [String]) {
        unsubscribeRequests[messageID] = filters
    }

    mutating func unsubscribeAcknowledged(_ messageID: MQTTMessageID) -> [String]? {
        unsubscribeRequests.removeValue(forKey: messageID)
    }
}
