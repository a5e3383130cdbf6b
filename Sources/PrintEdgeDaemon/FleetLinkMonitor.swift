import PrintEdgeControl
import Synchronization

/// What the fleet link shows the control socket: its state for `printedge status`, and the
/// operator's request to send refused messages again (`printedge fleet retry`); and what it
/// has done since the daemon started, for `/metrics`.
///
/// Written by the fleet link's publisher, read by control requests on other tasks; a mutex
/// rather than an actor so `status` never waits behind the publisher's store calls.
final class FleetLinkMonitor: Sendable {
    private struct State {
        var status: FleetLinkStatus
        var rewindRequested = false
        var counters = Counters()
    }

    /// Since the daemon started.
    struct Counters: Sendable, Equatable {
        /// Connections the broker accepted; every one after the first is a reconnect.
        var connections = 0
        /// Outbox messages handed to the broker (QoS 1), again after a reconnect included.
        var published = 0
        /// Of them, those the broker acknowledged (PUBACK) as taken.
        var acknowledged = 0
    }

    private let state: Mutex<State>

    init(server: String, agent: String) {
        state = Mutex(State(status: FleetLinkStatus(state: "connecting", server: server, agent: agent, sinceMS: WallClock.nowMS())))
    }

    var status: FleetLinkStatus {
        state.withLock { $0.status }
    }

    func update(_ change: (inout FleetLinkStatus) -> Void) {
        state.withLock { change(&$0.status) }
    }

    var counters: Counters {
        state.withLock { $0.counters }
    }

    func count(_ change: (inout Counters) -> Void) {
        state.withLock { change(&$0.counters) }
    }

    /// Refused messages were queued again in the store: the publisher reads each printer's
    /// outbox from its first undelivered row at its next wake-up (within a second).
    func requestRewind() {
        state.withLock { $0.rewindRequested = true }
    }

    /// Whether a rewind was requested since the last call.
    func takeRewindRequest() -> Bool {
        state.withLock { state in
            defer { state.rewindRequested = false }
            return state.rewindRequested
        }
    }
}
