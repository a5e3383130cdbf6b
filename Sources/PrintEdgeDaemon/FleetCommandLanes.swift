import Logging
import PrintEdgeMQTT

/// One queue of received commands per printer: a printer's commands are handled in the order
/// they arrived (a pause before the resume that follows it), different printers in parallel, and
/// a slow command (a download) holds up only its own printer.
struct FleetCommandLanes: Sendable {
    struct Lane: Sendable {
        let printerID: String
        let messages: AsyncStream<(subtopic: String, payload: [UInt8])>
        let continuation: AsyncStream<(subtopic: String, payload: [UInt8])>.Continuation
        let handler: any FleetCommandHandling
        let outbox: FleetOutbox
        let logger: Logger

        /// Handles each message and queues its replies, until `finish`.
        func run() async {
            for await (subtopic, payload) in messages {
                for reply in await handler.handle(printerID: printerID, subtopic: subtopic, payload: payload) {
                    do {
                        try outbox.enqueueReply(printerID: reply.printerID, payload: reply.payload)
                    } catch {
                        logger.error("\(error)")
                    }
                }
            }
        }
    }

    let lanes: [Lane]
    private let byPrinter: [String: Lane]
    private let logger: Logger

    init(printerIDs: [String], handler: any FleetCommandHandling, outbox: FleetOutbox, logger: Logger) {
        lanes = printerIDs.map { printerID in
            // Unbounded: the broker already bounds what it sends (QoS 1, its receive maximum),
            // and dropping a command would leave it without its reply.
            let (messages, continuation) = AsyncStream.makeStream(of: (subtopic: String, payload: [UInt8]).self)
            return Lane(printerID: printerID, messages: messages, continuation: continuation, handler: handler,
                        outbox: outbox, logger: logger)
        }
        byPrinter = Dictionary(uniqueKeysWithValues: lanes.map { ($0.printerID, $0) })
        self.logger = logger
    }

    /// Queues a received message on its printer's lane; one for a printer this daemon does
    /// not serve is dropped (no reply: the outbox only holds messages of known printers).
    func deliver(_ message: MQTTMessage, topics: FleetTopics) {
        guard let (printerID, subtopic) = topics.command(in: message.topic), let lane = byPrinter[printerID] else {
            logger.notice("fleet link: a message on \(message.topic) is for no printer of this daemon; ignored")
            return
        }
        lane.continuation.yield((subtopic, message.payload))
    }

    /// Ends every lane once its queued commands are handled.
    func finish() {
        for lane in lanes { lane.continuation.finish() }
    }
}
