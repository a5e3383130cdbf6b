import PrintEdgeBrokerSupport
import PrintEdgeMQTT
import Testing
import PrintEdgeTestSupport

@Suite("Publish and subscribe through a real broker")
struct RoundTripTests {
    @Test("connects with MQTT 5 and reports the negotiated version")
    func connectsWithMQTT5() async throws {
        let broker = try await MosquittoBroker()
        let client = try MQTTClient(options: broker.options(clientID: "round-trip-connect"))
        let log = EventLog(client)
        #expect(client.connectionState == .idle)
        try client.start()

        let connection = try await log.next("connected") { $0.connection }

        #expect(connection == MQTTConnection(protocolVersion: .mqtt5, sessionPresent: false))
        #expect(client.connectionState == .connected(connection))
        await client.stop()
        #expect(client.connectionState == .stopped)
        let last = try await log.next("disconnected") { $0.disconnection }
        #expect(last == MQTTDisconnection(error: nil, reconnectDelay: nil, unacknowledgedMessageIDs: []))
        try await log.waitForEnd()
    }

    @Test("payloads arrive byte for byte at QoS 0 and 1, empty and 256 KiB included, one PUBACK per QoS 1 publish")
    func payloadsArriveIntact() async throws {
        let broker = try await MosquittoBroker()
        let (subscriber, received) = try await connectedClient(
            broker.options(clientID: "round-trip-subscriber"), subscribing: ["payloads/#"])
        let (publisher, acknowledgements) = try await connectedClient(broker.options(clientID: "round-trip-publisher"))
        var generator = SystemRandomNumberGenerator()
        let payloads: [[UInt8]] = [
            [], [0x00], Array(0...255), Array("G28\nG1 X10 ; ümlaut".utf8),
            (0..<262_144).map { _ in UInt8.random(in: 0...255, using: &generator) },
        ]

        var acknowledgedIDs: [MQTTMessageID] = []
        for qos in [MQTTQoS.atMostOnce, .atLeastOnce] {
            for (index, payload) in payloads.enumerated() {
                let id = try publisher.publish(topic: "payloads/\(qos.rawValue)/\(index)", payload: payload, qos: qos)
                if qos == .atLeastOnce {
                    acknowledgedIDs.append(id)
                }
            }
        }

        for qos in [MQTTQoS.atMostOnce, .atLeastOnce] {
            for (index, payload) in payloads.enumerated() {
                let message = try await received.next("message \(qos) #\(index)") { $0.message }
                #expect(message.topic == "payloads/\(qos.rawValue)/\(index)")
                #expect(message.payload == payload, "payload \(index) at \(qos): \(message.payload.count) bytes")
                #expect(message.qos == qos)
                #expect(!message.retain)
            }
        }
        var acknowledged: [MQTTMessageID] = []
        for _ in acknowledgedIDs {
            let ack = try await acknowledgements.next("PUBACK") { $0.publishAcknowledgement }
            #expect(ack.isAccepted, "\(ack.reasonCode)")
            acknowledged.append(ack.messageID)
        }
        #expect(acknowledged == acknowledgedIDs)
        #expect(publisher.unacknowledgedMessageIDs.isEmpty)
        await publisher.stop()
        await subscriber.stop()
        #expect(acknowledgements.all.compactMap(\.publishAcknowledgement).count == acknowledgedIDs.count, "no PUBACK for QoS 0")
    }

    @Test("10,000 QoS 1 messages to one topic arrive in publish order, each acknowledged once")
    func tenThousandMessagesKeepTheirOrder() async throws {
        let broker = try await MosquittoBroker()
        let count = 10_000
        let (subscriber, received) = try await connectedClient(
            broker.options(clientID: "order-subscriber"), subscribing: ["printedge/v1/farm/p1/telemetry"])
        let (publisher, acknowledgements) = try await connectedClient(broker.options(clientID: "order-publisher"))

        var published: [MQTTMessageID] = []
        published.reserveCapacity(count)
        for sequence in 0..<count {
            published.append(try publisher.publish(topic: "printedge/v1/farm/p1/telemetry", payload: "\(sequence)"))
        }

        for sequence in 0..<count {
            let message = try await received.next("message \(sequence)") { $0.message }
            guard message.payloadText == "\(sequence)" else {
                Issue.record("message \(sequence) arrived as \(message.payloadText)")
                break
            }
        }
        var acknowledged = Set<MQTTMessageID>()
        for _ in 0..<count {
            let ack = try await acknowledgements.next("PUBACK") { $0.publishAcknowledgement }
            #expect(ack.isAccepted)
            acknowledged.insert(ack.messageID)
        }
        #expect(acknowledged == Set(published))
        #expect(publisher.unacknowledgedMessageIDs.isEmpty)
        await publisher.stop()
        await subscriber.stop()
    }

    @Test("after unsubscribe the broker confirms, and the topic's messages stop coming")
    func unsubscribeStopsDelivery() async throws {
        let broker = try await MosquittoBroker()
        let (client, log) = try await connectedClient(
            broker.options(clientID: "unsubscriber"), subscribing: ["printedge/v1/farm/p1/cmd", "printedge/v1/farm/p2/cmd"])

        try client.unsubscribe("printedge/v1/farm/p1/cmd")
        let (_, filters) = try await log.next("UNSUBACK") { event -> (MQTTMessageID, [String])? in
            if case .unsubscribed(let id, let filters) = event { (id, filters) } else { nil }
        }
        #expect(filters == ["printedge/v1/farm/p1/cmd"])

        _ = try client.publish(topic: "printedge/v1/farm/p1/cmd", payload: "dropped")
        _ = try client.publish(topic: "printedge/v1/farm/p2/cmd", payload: "kept")
        #expect(try await log.next("message") { $0.message }.payloadText == "kept")
        await client.stop()
        #expect(log.all.compactMap(\.message).map(\.payloadText) == ["kept"])
    }
}
