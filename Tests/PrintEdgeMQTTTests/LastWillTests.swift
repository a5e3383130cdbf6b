import PrintEdgeBrokerSupport
import PrintEdgeMQTT
import Testing
import PrintEdgeTestSupport

@Suite("Last Will")
struct LastWillTests {
    private static func agentOptions(_ broker: MosquittoBroker, port: Int? = nil) -> MQTTClientOptions {
        broker.options(clientID: "agent-lw") { options in
            if let port { options.port = port }
            options.lastWill = MQTTLastWill(topic: "printedge/v1/farm/agent/lw/online", payload: "offline", retain: false)
        }
    }

    @Test("the broker publishes the Last Will when the agent's connection dies without DISCONNECT, and the agent reconnects")
    func willIsDeliveredWhenTheConnectionDies() async throws {
        let broker = try await MosquittoBroker()
        let proxy = try BrokerProxy(upstreamPort: broker.port)
        let (observer, seen) = try await connectedClient(
            broker.options(clientID: "observer-lw"), subscribing: ["printedge/v1/farm/agent/+/online"])
        let (agent, agentLog) = try await connectedClient(Self.agentOptions(broker, port: proxy.port))
        _ = try agent.publish(topic: "printedge/v1/farm/agent/lw/online", payload: "online")
        #expect(try await seen.next("online") { $0.message }.payloadText == "online")

        proxy.cutConnections()

        let will = try await seen.next("Last Will") { $0.message }
        #expect(will.topic == "printedge/v1/farm/agent/lw/online")
        #expect(will.payloadText == "offline")
        let down = try await agentLog.next("disconnected") { $0.disconnection }
        guard case .connectionLost = down.error else {
            Issue.record("expected connectionLost, got \(String(describing: down.error))")
            return
        }
        #expect(down.reconnectDelay != nil)
        _ = try await agentLog.next("reconnected") { $0.connection }
        await agent.stop()
        await observer.stop()
    }

    @Test("stop() disconnects cleanly: the broker discards the Last Will")
    func willIsDiscardedAfterStop() async throws {
        let broker = try await MosquittoBroker()
        let (observer, seen) = try await connectedClient(
            broker.options(clientID: "observer-stop"), subscribing: ["printedge/v1/farm/agent/#"])
        let (agent, _) = try await connectedClient(Self.agentOptions(broker))

        await agent.stop()
        // Once the broker has logged the DISCONNECT, a Will (if any) is already queued to the
        // observer, ahead of the marker published next.
        try await broker.waitForLog(containing: "Client agent-lw disconnected")
        _ = try observer.publish(topic: "printedge/v1/farm/agent/marker", payload: "after stop")

        let first = try await seen.next("marker") { $0.message }
        #expect(first.topic == "printedge/v1/farm/agent/marker", "got \(first.topic): \(first.payloadText)")
        await observer.stop()
    }
}
