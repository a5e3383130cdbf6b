import PrintEdgeMQTT
import Synchronization
import PrintEdgeTestSupport

/// Collects a client's events from the moment it is made, so a test can wait for the next
/// event of a kind without racing the stream, and print everything when a wait fails.
///
/// `next` takes the earliest event not taken yet that matches, so waits for different kinds
/// (a message, then its PUBACK) work whichever of them arrived first; tests that care about
/// the order across kinds read `all`.
final class EventLog: Sendable {
    private struct State {
        var events: [MQTTEvent] = []
        var taken: [Bool] = []
        var isFinished = false
    }

    private let state = Mutex(State())

    init(_ client: MQTTClient) {
        Task { [self] in
            for await event in client.events {
                state.withLock {
                    $0.events.append(event)
                    $0.taken.append(false)
                }
            }
            state.withLock { $0.isFinished = true }
        }
    }

    var all: [MQTTEvent] { state.withLock { $0.events } }
    var isFinished: Bool { state.withLock { $0.isFinished } }

    /// The earliest untaken event that `match` accepts. The limit is a hang guard for a
    /// broken client, not a timing check.
    func next<Value>(
        _ what: String, within limit: Duration = .seconds(30), _ match: (MQTTEvent) -> Value?
    ) async throws -> Value {
        let deadline = ContinuousClock.now + limit
        while true {
            let found = state.withLock { state -> Value? in
                for index in state.events.indices where !state.taken[index] {
                    if let value = match(state.events[index]) {
                        state.taken[index] = true
                        return value
                    }
                }
                return nil
            }
            if let found { return found }
            guard ContinuousClock.now < deadline, !isFinished else {
                throw TestSetupError("no \(what) event \(isFinished ? "before the stream ended" : "within \(limit)"); events: \(all)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits for the end of the event stream (after `stop()`).
    func waitForEnd(within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while !isFinished {
            guard ContinuousClock.now < deadline else { throw TestSetupError("event stream did not end; events: \(all)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

extension MQTTEvent {
    var connection: MQTTConnection? {
        if case .connected(let connection) = self { connection } else { nil }
    }

    var disconnection: MQTTDisconnection? {
        if case .disconnected(let disconnection) = self { disconnection } else { nil }
    }

    var message: MQTTMessage? {
        if case .message(let message) = self { message } else { nil }
    }

    var publishAcknowledgement: MQTTPublishAcknowledgement? {
        if case .published(let acknowledgement) = self { acknowledgement } else { nil }
    }

    var subscriptionAcknowledgement: MQTTSubscriptionAcknowledgement? {
        if case .subscribed(let acknowledgement) = self { acknowledgement } else { nil }
    }
}

/// A started client with its event log, connected; the usual first lines of a test.
func connectedClient(_ options: MQTTClientOptions, subscribing filters: [String] = []) async throws -> (MQTTClient, EventLog) {
    let client = try MQTTClient(options: options)
    let log = EventLog(client)
    for filter in filters {
        try client.subscribe(filter, qos: .atLeastOnce)
    }
    try client.start()
    _ = try await log.next("connected") { $0.connection }
    for _ in filters {
        _ = try await log.next("subscribed") { $0.subscriptionAcknowledgement }
    }
    return (client, log)
}
