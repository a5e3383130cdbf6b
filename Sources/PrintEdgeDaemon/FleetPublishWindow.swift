import PrintEdgeMQTT
import PrintEdgeStore

/// The outbox rows published on the current connection and not yet acknowledged, and where
/// each printer's next read starts. No I/O: the fleet link's publisher performs what it says.
///
/// Every in-flight message id is either acknowledged (`acknowledge`) or, when the connection
/// ends, forgotten (`connectionEnded`) — `MQTTClient` reports each id exactly once. After a
/// reconnect each printer starts again from its first undelivered row: rows in flight when the
/// link dropped go out again (a duplicate if the broker had them; QoS 1 allows that).
struct FleetPublishWindow {
    struct InFlight: Equatable {
        var rowID: Int64
        var printerID: String
        var sequence: Int64
        var topic: String
    }

    enum Acknowledgement: Equatable {
        /// The broker took the row; it is marked delivered with the next batch.
        case delivered
        /// The broker refused it for good (MQTT 5 reason ≥ 0x80: an ACL's "not authorized", an
        /// invalid topic or payload): sending it again would be refused again, so it is set
        /// aside until the operator retries it.
        case refused(InFlight, MQTTReasonCode)
        /// The broker refused it for now ("quota exceeded", "packet identifier in use"): it
        /// goes out again after a `rewind`.
        case deferred(InFlight, MQTTReasonCode)
        /// Not a row of this window: the agent's own online/offline message.
        case notARow
    }

    /// At most this many rows in flight, over all printers.
    let capacity: Int
    private var inFlight: [MQTTMessageID: InFlight] = [:]
    /// The rows of `inFlight`, so a read after a `rewind` skips them.
    private var inFlightRows: Set<Int64> = []
    /// Per printer, the highest sequence published on this connection.
    private var publishedThrough: [String: Int64] = [:]
    /// Acknowledged rows whose delivery is not written yet; never published again meanwhile.
    private var acknowledged: Set<Int64> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    var inFlightCount: Int { inFlight.count }
    var freeSlots: Int { max(0, capacity - inFlight.count) }
    var hasUnwrittenDeliveries: Bool { !acknowledged.isEmpty }

    /// The sequence after which the printer's next rows are read.
    func position(of printerID: String) -> Int64 {
        publishedThrough[printerID] ?? 0
    }

    /// Whether the row is in flight, or was acknowledged and only waits for its delivery to be
    /// written: a read after a reconnect or a rewind finds it undelivered, and it must not go
    /// out again.
    func isSettling(_ message: OutboxMessage) -> Bool {
        guard let id = message.id else { return false }
        return acknowledged.contains(id) || inFlightRows.contains(id)
    }

    /// The row is skipped (already acknowledged) or was handed to the client as `id`.
    mutating func passed(_ message: OutboxMessage, topic: String, as id: MQTTMessageID?) {
        publishedThrough[message.printerID] = message.sequence
        guard let id, let rowID = message.id else { return }
        inFlight[id] = InFlight(rowID: rowID, printerID: message.printerID, sequence: message.sequence, topic: topic)
        inFlightRows.insert(rowID)
    }

    mutating func acknowledge(_ ack: MQTTPublishAcknowledgement) -> Acknowledgement {
        guard let row = inFlight.removeValue(forKey: ack.messageID) else { return .notARow }
        inFlightRows.remove(row.rowID)
        guard ack.isAccepted else {
            switch ack.reasonCode {
            case .quotaExceeded, .packetIdentifierInUse: return .deferred(row, ack.reasonCode)
            default: return .refused(row, ack.reasonCode)
            }
        }
        acknowledged.insert(row.rowID)
        return .delivered
    }

    /// Every printer reads again from its first undelivered row, skipping what is in flight:
    /// for rows deferred by the broker, or set aside and now retried.
    mutating func rewind() {
        publishedThrough.removeAll()
    }

    /// The connection is gone: its unacknowledged ids will never be acknowledged, and every
    /// printer reads again from its first undelivered row.
    mutating func connectionEnded() {
        inFlight.removeAll()
        inFlightRows.removeAll()
        publishedThrough.removeAll()
    }

    /// The acknowledged rows to mark delivered now; `restore` them if the write fails.
    mutating func takeDeliveries() -> [Int64] {
        defer { acknowledged.removeAll() }
        return acknowledged.sorted()
    }

    mutating func restore(deliveries: [Int64]) {
        acknowledged.formUnion(deliveries)
    }
}
