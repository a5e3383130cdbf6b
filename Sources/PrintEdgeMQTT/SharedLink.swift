import CMosquitto
import Synchronization

/// The part of an `MQTTClient` that both the caller's threads and the network thread hold:
/// the shared `LinkState` behind one mutex, the stop signal, and the event stream's input.
///
/// Requests (publish, subscribe) call libmosquitto while holding the mutex, for two reasons:
/// the network thread cannot swap or destroy the handle under them, and a message id is
/// recorded as unacknowledged before its PUBACK can possibly be handled (the PUBACK callback
/// takes the same mutex). libmosquitto never calls back into this type from inside publish or
/// subscribe, and runs callbacks holding only its callback mutex, so the lock order is always
/// this mutex first, libmosquitto's second.
final class SharedLink: Sendable {
    let options: MQTTClientOptions
    let stopSignal = StopSignal()
    private let state = Mutex(LinkState())
    private let events: AsyncStream<MQTTEvent>.Continuation

    init(options: MQTTClientOptions, events: AsyncStream<MQTTEvent>.Continuation) {
        self.options = options
        self.events = events
    }

    var connectionState: MQTTConnectionState {
        state.withLock { $0.connectionState }
    }

    var unacknowledgedMessageIDs: [MQTTMessageID] {
        state.withLock { $0.unacknowledgedMessageIDs }
    }

    var isStopRequested: Bool {
        state.withLock { $0.isStopRequested }
    }

    func emit(_ event: MQTTEvent) {
        events.yield(event)
    }

    // MARK: The caller's side

    func markStarted() throws(MQTTError) {
        try state.withLock { (state: inout LinkState) throws(MQTTError) in
            guard !state.isStarted, !state.isStopRequested else { throw .alreadyStarted }
            state.isStarted = true
        }
    }

    private enum StopOutcome {
        case alreadyStopped
        case neverStarted
        /// The thread is inside a blocking connect: report the stop here, do not wait for it.
        case abandonedConnect([CheckedContinuation<Void, Never>])
        case waitForThread
    }

    /// Asks the network thread to stop: a DISCONNECT when a connection exists, a wake-up when
    /// it sleeps between attempts. Returns `true` when there is nothing to wait for; otherwise
    /// `waiter` is resumed once the thread has finished.
    func requestStop(waiter: CheckedContinuation<Void, Never>?) -> Bool {
        let outcome = state.withLock { state -> StopOutcome in
            if case .stopped = state.phase { return .alreadyStopped }
            if state.isAbandoned { return .alreadyStopped }
            if !state.isStarted {
                state.isStopRequested = true
                state.phase = .stopped
                return .neverStarted
            }
            let isFirstRequest = !state.isStopRequested
            state.isStopRequested = true
            switch state.phase {
            case .connecting:
                state.isAbandoned = true
                state.phase = .stopped
                defer { state.stopWaiters.removeAll() }
                return .abandonedConnect(state.stopWaiters)
            case .awaitingConnack(_, _, let handle), .connected(_, let handle):
                if isFirstRequest {
                    handle.disconnect()
                }
            case .idle, .waitingToReconnect, .stopped:
                break
            }
            if let waiter {
                state.stopWaiters.append(waiter)
            }
            return .waitForThread
        }
        switch outcome {
        case .alreadyStopped:
            return true
        case .neverStarted:
            events.finish()
            return true
        case .abandonedConnect(let waiters):
            events.yield(.disconnected(MQTTDisconnection(error: nil, reconnectDelay: nil, unacknowledgedMessageIDs: [])))
            events.finish()
            waiters.forEach { $0.resume() }
            return true
        case .waitForThread:
            stopSignal.raise()
            return false
        }
    }

    func publish(topic: String, payload: UnsafeRawBufferPointer, qos: MQTTQoS, retain: Bool) throws(MQTTError) -> MQTTMessageID {
        try state.withLock { (state: inout LinkState) throws(MQTTError) -> MQTTMessageID in
            guard let handle = state.connectedHandle else {
                throw .notConnected(operation: "publish to \"\(topic)\"")
            }
            if qos == .atLeastOnce, state.unacknowledgedCount >= LinkState.maximumUnacknowledged {
                throw .tooManyUnacknowledged(limit: LinkState.maximumUnacknowledged)
            }
            let messageID: MQTTMessageID
            do throws(MQTTError) {
                messageID = try handle.publish(topic: topic, payload: payload, qos: qos, retain: retain)
            } catch .requestRefused(_, _, let code) where code == MOSQ_ERR_NO_CONN.rawValue {
                // The socket broke and the network thread has not noticed yet.
                throw .notConnected(operation: "publish to \"\(topic)\"")
            }
            state.published(messageID, qos: qos)
            return messageID
        }
    }

    /// Remembers the filter for every later connect and sends it now if connected.
    func subscribe(filter: String, qos: MQTTQoS) throws(MQTTError) {
        try Self.checkFilter(filter, operation: "subscribe")
        try state.withLock { (state: inout LinkState) throws(MQTTError) in
            state.remember(filter: filter, qos: qos)
            guard let handle = state.connectedHandle else { return }
            do throws(MQTTError) {
                let messageID = try handle.subscribe(filter: filter, qos: qos)
                state.subscribeSent(messageID, filters: [filter])
            } catch .requestRefused(_, _, let code) where code == MOSQ_ERR_NO_CONN.rawValue {
                // Sent with the others on the next connect.
            }
        }
    }

    func unsubscribe(filter: String) throws(MQTTError) {
        try Self.checkFilter(filter, operation: "unsubscribe")
        try state.withLock { (state: inout LinkState) throws(MQTTError) in
            state.forget(filters: [filter])
            guard let handle = state.connectedHandle else { return }
            do throws(MQTTError) {
                let messageID = try handle.unsubscribe(filter: filter)
                state.unsubscribeSent(messageID, filters: [filter])
            } catch .requestRefused(_, _, let code) where code == MOSQ_ERR_NO_CONN.rawValue {
                // Forgotten already; the next connect does not subscribe it again.
            }
        }
    }

    private static func checkFilter(_ filter: String, operation: String) throws(MQTTError) {
        let code = mosquitto_sub_topic_check(filter)
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            throw .requestRefused(operation: operation, topic: filter, libraryError: code)
        }
    }

    // MARK: The network thread's side

    /// Whether to make attempt `attempt`; `false` once stop was requested.
    func beginAttempt(_ attempt: Int, version: MQTTProtocolVersion) -> Bool {
        state.withLock { state in
            guard !state.isStopRequested else { return false }
            state.phase = .connecting(attempt: attempt, version: version)
            return true
        }
    }

    /// The blocking connect returned, with a handle when it succeeded. `false`: `stop()` came
    /// meanwhile and has already reported it, so the thread ends quietly.
    func connectReturned(handle: MosquittoHandle?, attempt: Int, version: MQTTProtocolVersion) -> Bool {
        state.withLock { state in
            guard !state.isStopRequested else { return false }
            if let handle {
                state.phase = .awaitingConnack(attempt: attempt, version: version, handle: handle)
            }
            return true
        }
    }

    /// CONNACK accepted: requests may go out, and every remembered subscription is sent again
    /// (the broker's session may not have them: clean start, expiry, or a new broker).
    func accepted(_ connection: MQTTConnection, handle: MosquittoHandle) {
        let isReported = state.withLock { state in
            guard !state.isStopRequested else { return false }
            state.phase = .connected(connection, handle: handle)
            for subscription in state.subscriptions {
                // Filters were checked when first subscribed; a failure here means the socket
                // already broke, and the next connect subscribes again.
                if let messageID = try? handle.subscribe(filter: subscription.filter, qos: subscription.qos) {
                    state.subscribeSent(messageID, filters: [subscription.filter])
                }
            }
            return true
        }
        if isReported {
            events.yield(.connected(connection))
        }
    }

    func publishAcknowledged(_ messageID: MQTTMessageID, reasonCode: MQTTReasonCode) {
        let wasAwaited = state.withLock { $0.acknowledged(messageID) }
        if wasAwaited {
            events.yield(.published(MQTTPublishAcknowledgement(messageID: messageID, reasonCode: reasonCode)))
        }
    }

    func subscribeAcknowledged(_ messageID: MQTTMessageID, codes: [MQTTReasonCode]) {
        let filters = state.withLock { state -> [String]? in
            guard let filters = state.subscribeAcknowledged(messageID) else { return nil }
            let refused = zip(filters, codes).filter { $0.1.isFailure }.map(\.0)
            state.forget(filters: refused)
            return filters
        }
        guard let filters else { return }
        let results = zip(filters, codes).map { MQTTSubscriptionResult(filter: $0.0, reasonCode: $0.1) }
        events.yield(.subscribed(MQTTSubscriptionAcknowledgement(messageID: messageID, results: results)))
    }

    func unsubscribeAcknowledged(_ messageID: MQTTMessageID) {
        guard let filters = state.withLock({ $0.unsubscribeAcknowledged(messageID) }) else { return }
        events.yield(.unsubscribed(messageID: messageID, filters: filters))
    }

    /// A connection or attempt is over. Unless stop was requested, the unacknowledged ids are
    /// handed over and, with a `reconnectDelay`, reported in `.disconnected` (a protocol
    /// fallback retries at once and reports nothing). `false` when stop was requested: the
    /// ids stay for `finish()`.
    func connectionEnded(error: MQTTError, reconnectDelay: Duration?) -> Bool {
        let unacknowledged = state.withLock { state -> [MQTTMessageID]? in
            guard !state.isStopRequested else { return nil }
            state.phase = .waitingToReconnect(delay: reconnectDelay ?? .zero, error: error)
            return state.endConnection()
        }
        guard let unacknowledged else { return false }
        if let reconnectDelay {
            events.yield(.disconnected(MQTTDisconnection(
                error: error, reconnectDelay: reconnectDelay, unacknowledgedMessageIDs: unacknowledged)))
        }
        return true
    }

    /// The network thread ends: the last `.disconnected`, then the end of the event stream,
    /// then `stop()` returns.
    func finish() {
        let ending = state.withLock { state -> ([MQTTMessageID], [CheckedContinuation<Void, Never>])? in
            guard !state.isAbandoned else { return nil }
            state.phase = .stopped
            defer { state.stopWaiters.removeAll() }
            return (state.endConnection(), state.stopWaiters)
        }
        guard let (unacknowledged, waiters) = ending else { return }
        events.yield(.disconnected(MQTTDisconnection(error: nil, reconnectDelay: nil, unacknowledgedMessageIDs: unacknowledged)))
        events.finish()
        waiters.forEach { $0.resume() }
    }
}
