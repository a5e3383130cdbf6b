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
        /// The broker refused it (MQTT 5 reason ≥ 0x80, an ACL): it stays undelivered and goes
        /// out again after the next reconnect.
        case refused(InFlight, MQTTReasonCode)
        /// Not a row of this window: the agent's own online/offline message.
        case notARow
    }

    /// At most this many rows in flight, over all printers.
    let capacity: Int
    private var inFlight: [MQTTMessageID: InFlight] = [:]
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

    /// Whether the row was acknowledged and only waits for its delivery to be written: a read
    /// after a reconnect finds it undelivered, and it must not go out again.
    func isAcknowledged(_ message: OutboxMessage) -> Bool {
        message.id.map(acknowledged.contains) ?? false
    }

    /// The row is skipped (already acknowledged) or was handed to the client as `id`.
    mutating func passed(_ message: OutboxMessage, topic: String, as id: MQTTMessageID?) {
        publishedThrough[message.printerID] = message.sequence
        guard let id, let rowID = message.id else { return }
        inFlight[id] = InFlight(rowID: rowID, printerID: message.printerID, sequence: message.sequence, topic: topic)
    }

    mutating func acknowledge(_ ack: MQTTPublishAcknowledgement) -> Acknowledgement {
        guard let row = inFlight.removeValue(forKey: ack.messageID) else { return .notARow }
        guard ack.isAccepted else { return .refused(row, ack.reasonCode) }
        acknowledged.insert(row.rowID)
        return .delivered
    }

    /// The connection is gone: its unacknowledged ids will never be acknowledged, and every
    /// printer reads again from its first undelivered row.
    mutating func connectionEnded() {
        inFlight.removeAll()
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
