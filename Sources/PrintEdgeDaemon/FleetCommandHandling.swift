/// A reply to a fleet command, for the fleet link to enqueue in the outbox and publish on the
/// printer's `cmd/reply` topic. `payload` is the JSON document, already encoded.
public struct FleetReply: Sendable, Equatable {
    public var printerID: String
    public var payload: [UInt8]

    public init(printerID: String, payload: [UInt8]) {
        self.printerID = printerID
        self.payload = payload
    }
}

/// What the fleet link hands every message received on a printer's `cmd` or `files/#` topic.
/// A protocol so the link (upstream) and the command handler (downstream) stay apart: the link
/// owns the MQTT client, the handler owns what commands mean.
public protocol FleetCommandHandling: Sendable {
    /// `subtopic` is the topic below the printer (`cmd`, `files/<transfer>/<index>`). Returns the
    /// replies to publish, each enqueued in the outbox before it goes out.
    func handle(printerID: String, subtopic: String, payload: [UInt8]) async -> [FleetReply]
}
