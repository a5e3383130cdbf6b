import PrintEdgeBrokerSupport
import PrintEdgeMQTT
import Testing
import PrintEdgeTestSupport

@Suite("Reconnecting after the broker goes away")
struct ReconnectTests {
    @Test("broker killed with messages in flight and started again on the same port: the client reports them, reconnects by itself with backoff, and publishes again")
    func reconnectsAfterBrokerRestart() async throws {
        let broker = try await MosquittoBroker()
        let backoff = ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(400), jitterRatio: 0.5)
        let (client, log) = try await connectedClient(broker.options(clientID: "restart") { $0.reconnectBackoff = backoff })

        // A stopped broker reads nothing, so these stay unacknowledged, deterministically.
        broker.pause()
        let inFlight = try (0..<5).map { try client.publish(topic: "printedge/v1/farm/p1/events", payload: "event \($0)") }
        #expect(client.unacknowledgedMessageIDs == inFlight)
        await broker.kill()
        try await broker.start()

        let down = try await log.next("disconnected") { $0.disconnection }
        #expect(down.unacknowledgedMessageIDs == inFlight)
        guard case .connectionLost(let server, _, _, _) = down.error else {
            Issue.record("expected connectionLost, got \(String(describing: down.error))")
            return
        }
        #expect(server == "127.0.0.1:\(broker.port)")
        let delay = try #require(down.reconnectDelay)
        #expect(delay >= .milliseconds(25) && delay <= .milliseconds(400), "\(delay)")

        _ = try await log.next("reconnected") { $0.connection }
        #expect(client.unacknowledgedMessageIDs.isEmpty, "the old ids were handed over, not kept")
        let id = try client.publish(topic: "printedge/v1/farm/p1/events", payload: "after restart")
        let ack = try await log.next("PUBACK") { $0.publishAcknowledgement }
        #expect(ack.messageID == id && ack.isAccepted)
        #expect(log.all.compactMap(\.publishAcknowledgement).map(\.messageID) == [id], "in-flight ids are never acknowledged later")
        await client.stop()
    }

    @Test("subscriptions are restored on reconnect")
    func subscriptionsSurviveRestart() async throws {
        let broker = try await MosquittoBroker()
        let (client, log) = try await connectedClient(broker.options(clientID: "resubscribe"), subscribing: ["printedge/v1/farm/p1/cmd"])

        try await broker.restart()
        _ = try await log.next("disconnected") { $0.disconnection }
        _ = try await log.next("reconnected") { $0.connection }
        let again = try await log.next("subscribed again") { $0.subscriptionAcknowledgement }
        #expect(again.results == [MQTTSubscriptionResult(filter: "printedge/v1/farm/p1/cmd", reasonCode: MQTTReasonCode(rawValue: 1))])

        _ = try client.publish(topic: "printedge/v1/farm/p1/cmd", payload: "{\"command\":\"pause\"}")
        #expect(try await log.next("command") { $0.message }.payloadText == "{\"command\":\"pause\"}")
        await client.stop()
    }

    @Test("stop() while waiting to reconnect ends at once, with a last disconnection and the end of the events")
    func stopWhileWaitingToReconnect() async throws {
        let broker = try await MosquittoBroker()
        let (client, log) = try await connectedClient(broker.options(clientID: "stop-waiting") {
            $0.reconnectBackoff = ReconnectBackoff(initialDelay: .seconds(600), maximumDelay: .seconds(600))
        })
        await broker.stop()
        let down = try await log.next("disconnected") { $0.disconnection }
        #expect(down.reconnectDelay != nil)
        guard case .waitingToReconnect = client.connectionState else {
            Issue.record("expected waitingToReconnect, got \(client.connectionState)")
            return
        }

        await client.stop()

        let last = try await log.next("final disconnection") { $0.disconnection }
        #expect(last == MQTTDisconnection(error: nil, reconnectDelay: nil, unacknowledgedMessageIDs: []))
        try await log.waitForEnd()
        #expect(throws: MQTTError.alreadyStarted) { try client.start() }
        #expect(throws: MQTTError.notConnected(operation: "publish to \"late\"")) { try client.publish(topic: "late", payload: "x") }
    }

    @Test("no broker at all: each failed attempt is reported with a clear error and a growing delay")
    func refusedTCPConnectsAreReported() async throws {
        let port = try freePort()
        let client = try MQTTClient(options: MQTTClientOptions(
            host: "127.0.0.1", port: port, clientID: "nobody-home",
            reconnectBackoff: ReconnectBackoff(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(80), jitterRatio: 0)))
        let log = EventLog(client)
        try client.start()

        var delays: [Duration] = []
        for _ in 0..<4 {
            let down = try await log.next("failed attempt") { $0.disconnection }
            delays.append(try #require(down.reconnectDelay))
            #expect(down.error.map { "\($0)" }?.contains("127.0.0.1:\(port)") == true)
            #expect(down.error.map { "\($0)" }?.contains("Connection refused") == true, "\(String(describing: down.error))")
        }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        await client.stop()
    }

    @Test("a broker that accepts TCP but never sends CONNACK is given up after the connect timeout, and retried")
    func connackTimeout() async throws {
        let broker = try await MosquittoBroker()
        let proxy = try BrokerProxy(upstreamPort: broker.port, behaviour: .silent)
        let client = try MQTTClient(options: broker.options(clientID: "no-connack") {
            $0.port = proxy.port
            $0.connectTimeout = .milliseconds(200)
        })
        let log = EventLog(client)
        try client.start()

        let first = try await log.next("timeout") { $0.disconnection }
        let second = try await log.next("second timeout") { $0.disconnection }

        #expect(first.error == .connectTimedOut(server: "127.0.0.1:\(proxy.port)", timeout: .milliseconds(200)))
        #expect(second.error == first.error)
        await client.stop()
        proxy.cutConnections()
    }

    @Test("releasing a started client without stop() still disconnects it cleanly")
    func releasingTheClientDisconnects() async throws {
        let broker = try await MosquittoBroker()
        var client: MQTTClient? = try MQTTClient(options: broker.options(clientID: "released"))
        try client?.start()
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if case .connected = client?.connectionState { break }
            guard ContinuousClock.now < deadline else { throw TestSetupError("never connected:\n\(broker.log)") }
            try await Task.sleep(for: .milliseconds(2))
        }

        client = nil

        try await broker.waitForLog(containing: "Client released disconnected")
    }
}
