import PrintEdgeBrokerSupport
import Testing

@testable import PrintEdgeMQTT
import PrintEdgeTestSupport

@Suite("MQTT 5 with fallback to 3.1.1")
struct ProtocolFallbackTests {
    // mosquitto 2.0 cannot be configured to refuse MQTT 5, so a proxy in front of the real
    // broker answers MQTT 5 CONNECTs the way refusing brokers do and passes 3.1.1 through.

    @Test(
        "a broker that refuses MQTT 5 gets 3.1.1 at once, silently, and the link works",
        arguments: [BrokerProxy.Behaviour.refuseMQTT5WithMQTT5Connack, .refuseMQTT5AsMQTT311Broker])
    func fallsBackTo311(refusal: BrokerProxy.Behaviour) async throws {
        let broker = try await MosquittoBroker()
        let proxy = try BrokerProxy(upstreamPort: broker.port, behaviour: refusal)
        let client = try MQTTClient(options: broker.options(clientID: "fallback") { $0.port = proxy.port })
        let log = EventLog(client)
        try client.subscribe("fallback/echo")
        try client.start()

        let connection = try await log.next("connected") { $0.connection }
        #expect(connection.protocolVersion == .mqtt311)
        #expect(proxy.refusedConnects == 1)
        #expect(log.all.compactMap(\.disconnection).isEmpty, "a refused version is retried without a disconnection")

        _ = try await log.next("subscribed") { $0.subscriptionAcknowledgement }
        let id = try client.publish(topic: "fallback/echo", payload: "over 3.1.1")
        let ack = try await log.next("PUBACK") { $0.publishAcknowledgement }
        #expect(ack == MQTTPublishAcknowledgement(messageID: id, reasonCode: .success))
        let message = try await log.next("echo") { $0.message }
        #expect(message.payloadText == "over 3.1.1")
        await client.stop()
    }

    @Test("with MQTT 5 only, the refusal is reported and retried with backoff, never downgraded")
    func mqtt5OnlyReportsTheRefusal() async throws {
        let broker = try await MosquittoBroker()
        let proxy = try BrokerProxy(upstreamPort: broker.port, behaviour: .refuseMQTT5WithMQTT5Connack)
        let client = try MQTTClient(options: broker.options(clientID: "mqtt5-only") {
            $0.port = proxy.port
            $0.protocolPreference = .mqtt5Only
        })
        let log = EventLog(client)
        try client.start()

        let first = try await log.next("disconnected") { $0.disconnection }
        let second = try await log.next("disconnected") { $0.disconnection }

        let refusal = MQTTError.connectionRefused(server: "127.0.0.1:\(proxy.port)", protocolVersion: .mqtt5, code: 0x84)
        #expect(first.error == refusal)
        #expect(second.error == refusal)
        #expect(first.reconnectDelay != nil)
        #expect(refusal.description.contains("Unsupported Protocol Version (0x84)"), "\(refusal)")
        #expect(log.all.compactMap(\.connection).isEmpty)
        await client.stop()
    }

    @Test("3.1.1 only never offers MQTT 5")
    func mqtt311OnlyConnectsWith311() async throws {
        let broker = try await MosquittoBroker()
        let proxy = try BrokerProxy(upstreamPort: broker.port, behaviour: .refuseMQTT5WithMQTT5Connack)
        let (client, log) = try await connectedClient(broker.options(clientID: "mqtt311-only") {
            $0.port = proxy.port
            $0.protocolPreference = .mqtt311Only
        })
        #expect(log.all.compactMap(\.connection).map(\.protocolVersion) == [.mqtt311])
        #expect(proxy.refusedConnects == 0)
        await client.stop()
    }

    @Test("the fallback decision: only a refused protocol version downgrades, and only once")
    func fallbackDecision() {
        let unsupported = Int32(MQTTReasonCode.unsupportedProtocolVersion.rawValue)
        var negotiation = ProtocolNegotiation(preference: .mqtt5WithFallback)
        #expect(negotiation.version == .mqtt5)
        // Bad credentials, or no CONNACK at all (TCP, TLS, a broker that just closes), keep MQTT 5.
        #expect(negotiation.attemptEnded(connackCode: 0x86) == .backOff)
        #expect(negotiation.attemptEnded(connackCode: nil) == .backOff)
        #expect(negotiation.version == .mqtt5)

        #expect(negotiation.attemptEnded(connackCode: unsupported) == .retryImmediately(.mqtt311))
        #expect(negotiation.version == .mqtt311)
        // From then on 3.1.1 stays, and its own refusals back off.
        #expect(negotiation.attemptEnded(connackCode: 1) == .backOff)
        #expect(negotiation.attemptEnded(connackCode: unsupported) == .backOff)
        #expect(negotiation.version == .mqtt311)

        var strict = ProtocolNegotiation(preference: .mqtt5Only)
        #expect(strict.attemptEnded(connackCode: unsupported) == .backOff)
        #expect(strict.version == .mqtt5)
        #expect(ProtocolNegotiation(preference: .mqtt311Only).version == .mqtt311)
    }
}
