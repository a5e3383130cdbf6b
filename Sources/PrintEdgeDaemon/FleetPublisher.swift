import Logging
import PrintEdgeMQTT
import PrintEdgeStore

/// Publishes the outbox: per printer in sequence order, QoS 1, at most `window.capacity` in
/// flight, each row marked delivered only once the broker acknowledged it (in batches), and
/// nothing published before it is on stable storage.
///
/// Driven from outside: `handle` takes the client's events, `publishAvailable` runs on every
/// wake-up (a new outbox row, acknowledgements freeing half the window, a connection, the
/// fleet link's one-second tick). Store calls are short and synchronous, as in `Printer`.
actor FleetPublisher {
    private let client: MQTTClient
    private let store: Store
    private let topics: FleetTopics
    private let printerIDs: [String]
    private let logger: Logger
    private let monitor: FleetLinkMonitor
    private var window: FleetPublishWindow
    private var connected = false
    private var closing = false
    /// Outbox rows up to this id are known to survive a power cut.
    private var durableThroughID: Int64 = 0
    /// Which printer reads first on the next wake-up, so a long backlog does not starve others.
    private var rotation = 0
    /// The shutdown's `offline` message, until the broker acknowledges it.
    private var goodbye: MQTTMessageID?
    /// Problems logged once until they clear: a refused topic, a failing store.
    private var reported: Set<String> = []
    /// When the broker last deferred a row ("quota exceeded"); a second later every printer is
    /// read again from its first undelivered row, so the broker is not asked again at once.
    private var deferredAt: ContinuousClock.Instant?
    nonisolated let wakeups: AsyncStream<Void>
    private nonisolated let wakeupContinuation: AsyncStream<Void>.Continuation

    init(client: MQTTClient, store: Store, topics: FleetTopics, printerIDs: [String], maxInFlight: Int, monitor: FleetLinkMonitor,
         logger: Logger) {
        self.client = client
        self.monitor = monitor
        self.store = store
        self.topics = topics
        self.printerIDs = printerIDs
        self.logger = logger
        window = FleetPublishWindow(capacity: maxInFlight)
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var isConnected: Bool { connected }

    /// Asks for a `publishAvailable` soon; wake-ups coalesce.
    nonisolated func wake() {
        wakeupContinuation.yield()
    }

    /// Runs `publishAvailable` on every wake-up until the task is cancelled.
    func run() async {
        for await _ in wakeups {
            publishAvailable()
        }
    }

    func handle(_ event: MQTTEvent) {
        switch event {
        case .connected(let connection):
            connected = true
            window.connectionEnded()
            monitor.update {
                $0.state = "connected"
                $0.protocolVersion = connection.protocolVersion == .mqtt5 ? "5" : "3.1.1"
                $0.sinceMS = WallClock.nowMS()
                $0.lastError = nil
                $0.retryAtMS = nil
                $0.inFlight = 0
            }
            monitor.count { $0.connections += 1 }
            logger.notice("fleet link connected to \(client.options.server) (MQTT \(connection.protocolVersion)); publishing from the first undelivered message of each printer")
            publishPresence(FleetPresence(agent: topics.agent, state: .online, atMS: WallClock.nowMS(), printers: printerIDs))
            wake()
        case .disconnected(let disconnection):
            if connected || disconnection.error != nil {
                let retry = disconnection.reconnectDelay.map { "; retrying in \($0)" } ?? ""
                logger.warning("fleet link down: \(disconnection.error.map(String.init(describing:)) ?? "disconnected")\(retry); \(window.inFlightCount) message(s) in flight go out again after reconnecting")
            }
            connected = false
            window.connectionEnded()
            goodbye = nil
            let nowMS = WallClock.nowMS()
            monitor.update {
                // Down since the link was lost, or since the daemon first tried.
                if $0.state == "connected" || disconnection.reconnectDelay == nil { $0.sinceMS = nowMS }
                $0.state = disconnection.reconnectDelay == nil ? "stopped" : "down"
                if let error = disconnection.error { $0.lastError = "\(error)" }
                $0.retryAtMS = disconnection.reconnectDelay.map { nowMS + $0.nanosecondsClamped / 1_000_000 }
                $0.inFlight = 0
            }
        case .published(let acknowledgement):
            switch window.acknowledge(acknowledgement) {
            case .delivered:
                monitor.count { $0.acknowledged += 1 }
                if window.inFlightCount <= window.capacity / 2 { wake() }
            case .refused(let row, let reason):
                setAside(row, reason)
                if window.inFlightCount <= window.capacity / 2 { wake() }
            case .deferred(let row, let reason):
                if reported.insert("deferred \(row.topic)").inserted {
                    logger.warning("the broker deferred message \(row.sequence) of printer \(row.printerID) on \(row.topic): \(reason); it goes out again in a second")
                }
                deferredAt = deferredAt ?? .now
            case .notARow:
                if acknowledgement.messageID == goodbye { goodbye = nil }
            }
        case .subscribed(let acknowledgement):
            for result in acknowledgement.results where result.grantedQoS == nil {
                logger.error("the broker refused the subscription to \(result.filter): \(result.reasonCode) — fleet commands cannot arrive; allow this client to subscribe there (broker ACL)")
            }
        case .message, .unsubscribed:
            break
        }
    }

    /// Writes the acknowledged deliveries, then fills the window from the outbox.
    func publishAvailable() {
        writeDeliveries()
        defer { monitor.update { $0.inFlight = window.inFlightCount } }
        guard connected, !closing, !printerIDs.isEmpty else { return }
        let deferralOver = deferredAt.map { ContinuousClock.now - $0 >= .seconds(1) } ?? false
        if monitor.takeRewindRequest() || deferralOver {
            deferredAt = nil
            window.rewind()
        }
        var free = window.freeSlots
        let first = rotation
        rotation = (rotation + 1) % printerIDs.count
        for offset in printerIDs.indices where free > 0 {
            let printerID = printerIDs[(first + offset) % printerIDs.count]
            let rows: [OutboxMessage]
            do {
                rows = try store.undeliveredOutbox(printerID: printerID, afterSequence: window.position(of: printerID), limit: free)
                if let newest = rows.last?.id, newest > durableThroughID {
                    durableThroughID = try store.makeOutboxDurable(atMS: WallClock.nowMS())
                }
                clear("store")
            } catch {
                report("store", "the fleet link cannot read the outbox: \(error); retrying every second")
                return
            }
            for row in rows {
                let settling = window.isSettling(row)
                guard publish(row, settling: settling) else { return }
                if !settling { free -= 1 }
            }
        }
    }

    /// Hands one row to the client, unless it is `settling` (in flight, or acknowledged);
    /// `false` when the connection is gone (the row goes out after the next connect).
    private func publish(_ row: OutboxMessage, settling: Bool) -> Bool {
        let (topic, retain) = topics.destination(of: row)
        guard !settling else {
            window.passed(row, topic: topic, as: nil)
            return true
        }
        do {
            let id = try client.publish(topic: topic, payload: FleetEnvelope.bytes(for: row), qos: .atLeastOnce, retain: retain)
            window.passed(row, topic: topic, as: id)
            monitor.count { $0.published += 1 }
            return true
        } catch .notConnected {
            return false
        } catch {
            report("publish \(topic)", "message \(row.sequence) of printer \(row.printerID) could not be published on \(topic): \(error)")
            return false
        }
    }

    /// The broker refused the row for good: it is set aside in the store (kept, not sent
    /// again) and counted, so one forbidden topic neither blocks the printer's other messages
    /// nor goes out again at every reconnect. If the store cannot record it, it stays
    /// undelivered and goes out again after the next reconnect.
    private func setAside(_ row: FleetPublishWindow.InFlight, _ reason: MQTTReasonCode) {
        monitor.update { $0.refusedSinceStart += 1 }
        if reported.insert("refused \(row.topic)").inserted {
            logger.error("the broker refused message \(row.sequence) of printer \(row.printerID) on \(row.topic): \(reason) — allow this client to publish there (broker ACL), then run `printedge fleet retry`; the message is kept, and the printer's other messages go on")
        }
        do {
            try store.markRefused(id: row.rowID, refusal: "\(reason) on \(row.topic)", atMS: WallClock.nowMS())
        } catch {
            report("refusals", "a message the broker refused cannot be set aside: \(error); it goes out again after the next reconnect")
        }
    }

    /// Marks acknowledged rows delivered, one transaction for the batch; kept for the next try
    /// if the store refuses (they are not published again meanwhile).
    private func writeDeliveries() {
        guard window.hasUnwrittenDeliveries else { return }
        let rows = window.takeDeliveries()
        do {
            try store.markDelivered(ids: rows, atMS: WallClock.nowMS())
            clear("deliveries")
        } catch {
            window.restore(deliveries: rows)
            report("deliveries", "\(rows.count) acknowledged fleet message(s) cannot be marked delivered: \(error); retrying (they are not sent again meanwhile)")
        }
    }

    /// Stops publishing, gives the broker until `deadline` to acknowledge what is in flight,
    /// writes the deliveries and says `offline` (retained), waiting for its acknowledgement.
    func closeDown(until deadline: ContinuousClock.Instant) async {
        closing = true
        while connected, window.inFlightCount > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        writeDeliveries()
        guard connected else { return }
        goodbye = publishPresence(FleetPresence(agent: topics.agent, state: .offline, atMS: WallClock.nowMS(), printers: printerIDs,
                                                reason: "shutdown"))
        while goodbye != nil, connected, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        writeDeliveries()
    }

    @discardableResult
    private func publishPresence(_ presence: FleetPresence) -> MQTTMessageID? {
        do {
            return try client.publish(topic: topics.agentOnline, payload: presence.bytes, qos: .atLeastOnce, retain: true)
        } catch {
            logger.warning("the fleet link could not publish \(presence.state.rawValue) on \(topics.agentOnline): \(error)")
            return nil
        }
    }

    private func report(_ key: String, _ message: String) {
        if reported.insert(key).inserted { logger.error("\(message)") }
    }

    private func clear(_ key: String) {
        if reported.remove(key) != nil { logger.notice("fleet link: \(key) works again") }
    }
}
