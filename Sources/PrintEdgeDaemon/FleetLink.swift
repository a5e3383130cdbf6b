#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PrintEdgeConfig
import PrintEdgeMQTT
import PrintEdgeStore
import ServiceLifecycle

/// The daemon's link to the fleet broker (`[mqtt]`): publishes the outbox upstream and hands
/// commands received for its printers to the command handler. docs/mqtt.md has the topics.
///
/// One `MQTTClient`: it connects and reconnects by itself with backoff; the Last Will says
/// `offline` for an agent that vanished. Upstream, `FleetPublisher` publishes what the printers
/// and the telemetry recorder committed, per printer in order, and marks rows delivered on
/// PUBACK. Downstream, each printer has a lane: its commands are handled one after the other,
/// printers in parallel, and every reply goes through the outbox like any other message.
///
/// Graceful shutdown (the service group stops it after the printers, so their last states go
/// out too): in-flight messages get up to `closingTime` to be acknowledged, then `offline`
/// (retained) is published and the client disconnects cleanly, which discards the Last Will.
public struct FleetLink: Service {
    let settings: MQTTSettings
    let client: MQTTClient
    let topics: FleetTopics
    let store: Store
    let outbox: FleetOutbox
    let printerIDs: [String]
    let commands: (any FleetCommandHandling)?
    /// Writes a status snapshot of every printer; called at each heartbeat.
    let statusSnapshot: @Sendable () async -> Void
    let logger: Logger
    /// The link's state for `printedge status`, and retry requests from `printedge fleet retry`.
    let monitor: FleetLinkMonitor
    var closingTime: Duration = .seconds(3)
    /// Delivered rows are kept this long after their acknowledgement, to look at, then pruned.
    var deliveredKeptFor: Duration = .seconds(3600)

    /// `password`: the content of `password_file`, read by `DaemonPreflight`.
    public init(
        settings: MQTTSettings, password: String?, store: Store, printerIDs: [String], commands: (any FleetCommandHandling)?,
        statusSnapshot: @escaping @Sendable () async -> Void, logger: Logger, hostName: String = FleetLink.hostName()
    ) throws(FleetLinkError) {
        self.settings = settings
        self.store = store
        outbox = FleetOutbox(store: store)
        self.printerIDs = printerIDs
        self.commands = commands
        self.statusSnapshot = statusSnapshot
        self.logger = logger
        let agent = FleetTopics.agentName(hostName: hostName)
        topics = FleetTopics(prefix: settings.topicPrefix, fleet: settings.fleet, agent: agent)
        let credentials = settings.username.map { MQTTCredentials(userName: $0, password: password) }
        let will = FleetPresence(agent: agent, state: .offline, atMS: nil, printers: printerIDs, reason: "connection lost")
        let options = MQTTClientOptions(
            host: settings.host, port: settings.port, clientID: settings.clientID ?? "printedge-\(agent)",
            keepAlive: settings.keepAlive, credentials: credentials,
            tls: settings.tlsCAFile.map {
                MQTTTLSOptions(caFile: $0, certificateFile: settings.tlsCertificateFile, keyFile: settings.tlsKeyFile)
            },
            lastWill: MQTTLastWill(topic: topics.agentOnline, payload: will.bytes, qos: .atLeastOnce, retain: true))
        do {
            client = try MQTTClient(options: options)
        } catch {
            throw .client(error)
        }
        monitor = FleetLinkMonitor(server: client.options.server, agent: agent)
    }

    public func run() async throws {
        let publisher = FleetPublisher(client: client, store: store, topics: topics, printerIDs: printerIDs,
                                       maxInFlight: settings.maxInFlight, monitor: monitor, logger: logger)
        let lanes = commands.map { FleetCommandLanes(printerIDs: printerIDs, handler: $0, outbox: outbox, logger: logger) }
        do {
            if lanes != nil {
                for printerID in printerIDs {
                    try client.subscribe(topics.commands(of: printerID), qos: .atLeastOnce)
                    try client.subscribe(topics.files(of: printerID), qos: .atLeastOnce)
                }
            }
            try client.start()
        } catch {
            logger.error("the fleet link cannot start: \(error)")
            throw error
        }
        logger.info("fleet link: publishing to \(client.options.server) under \(topics.base)/, agent \(topics.agent)")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in client.events {
                    switch event {
                    case .message(let message):
                        lanes?.deliver(message, topics: topics)
                    case .connected:
                        await publisher.handle(event)
                        // The retained status is brought up to date at once, after whatever
                        // waited in the outbox.
                        await statusSnapshot()
                    default:
                        await publisher.handle(event)
                    }
                }
            }
            group.addTask { await publisher.run() }
            group.addTask {
                for await _ in store.outboxChanges() { publisher.wake() }
            }
            group.addTask { await tick(publisher) }
            if let lanes {
                for lane in lanes.lanes {
                    group.addTask { await lane.run() }
                }
            }
            // Returns at graceful shutdown, or throws when the service group cancels us.
            try? await gracefulShutdown()
            lanes?.finish()
            await publisher.closeDown(until: .now + closingTime)
            await client.stop()
            group.cancelAll()
        }
        logger.info("fleet link stopped")
    }

    /// Once a second: a wake-up for the publisher (a safety net; new rows wake it at once),
    /// the status heartbeat when due and connected (snapshots nobody can receive would only
    /// pile up in the outbox; a fresh one follows every connect), and now and then the
    /// pruning of delivered rows.
    private func tick(_ publisher: FleetPublisher) async {
        var sinceHeartbeat = Duration.zero
        var sincePruning = Duration.seconds(600)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled else { return }
            publisher.wake()
            sinceHeartbeat += .seconds(1)
            sincePruning += .seconds(1)
            if sinceHeartbeat >= settings.statusHeartbeat {
                sinceHeartbeat = .zero
                if await publisher.isConnected { await statusSnapshot() }
            }
            if sincePruning >= .seconds(600) {
                sincePruning = .zero
                let cutoff = WallClock.nowMS() - deliveredKeptFor.nanosecondsClamped / 1_000_000
                do {
                    let pruned = try store.deleteDeliveredOutbox(deliveredBeforeMS: cutoff)
                    if pruned > 0 { logger.debug("fleet link: \(pruned) delivered outbox rows pruned") }
                } catch {
                    logger.warning("delivered fleet messages could not be pruned: \(error)")
                }
            }
        }
    }

    /// The host name, for the agent's topic level and the default client id.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unnamed" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
