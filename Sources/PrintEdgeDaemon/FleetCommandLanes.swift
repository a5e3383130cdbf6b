import Logging
import PrintEdgeMQTT

/// One queue of received commands per printer: a printer's commands are handled in the order
/// they arrived (a pause before the resume that follows it), different printers in parallel, and
/// a slow command (a download) holds up only its own printer.
struct FleetCommandLanes: Sendable {
    struct Lane: Sendable {
        typealias Message = (subtopic: String, payload: [UInt8])

        let printerID: String
        let messages: AsyncStream<Message>
        let continuation: AsyncStream<Message>.Continuation
        /// Emergency stops, beside the ordered lane: one must never wait behind file chunks
        /// (each is synced to disk) or a download queued before it.
        let urgent: AsyncStream<Message>
        let urgentContinuation: AsyncStream<Message>.Continuation
        let handler: any FleetCommandHandling
        let outbox: FleetOutbox
        let logger: Logger

        /// Handles each message and queues its replies, until `finish`.
        func run() async {
            await withDiscardingTaskGroup { group in
                group.addTask { await handle(urgent) }
                await handle(messages)
            }
        }

        private func handle(_ stream: AsyncStream<Message>) async {
            for await (subtopic, payload) in stream {
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
            let (messages, continuation) = AsyncStream.makeStream(of: Lane.Message.self)
            let (urgent, urgentContinuation) = AsyncStream.makeStream(of: Lane.Message.self)
            return Lane(printerID: printerID, messages: messages, continuation: continuation, urgent: urgent,
                        urgentContinuation: urgentContinuation, handler: handler, outbox: outbox, logger: logger)
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
        if subtopic == "cmd", Self.mayBeEmergencyStop(message.payload) {
            lane.urgentContinuation.yield((subtopic, message.payload))
        } else {
            lane.continuation.yield((subtopic, message.payload))
        }
    }

    private static let emergencyStopName = Array(#""emergency_stop""#.utf8)

    /// A byte search, not a parse: every payload holding the quoted name goes ahead of the
    /// queue, and the handler still validates it in full. Anything else that holds it (a
    /// misspelt key, a wrong-typed field) is refused there and changes nothing, so taking
    /// it out of order is harmless.
    static func mayBeEmergencyStop(_ payload: [UInt8]) -> Bool {
        let name = emergencyStopName
        guard payload.count >= name.count else { return false }
        for start in 0...(payload.count - name.count) where payload[start] == name[0] {
            if payload[start..<(start + name.count)].elementsEqual(name) { return true }
        }
        return false
    }

    /// Ends every lane once its queued commands are handled.
    func finish() {
        for lane in lanes {
            lane.continuation.finish()
            lane.urgentContinuation.finish()
        }
    }
}
