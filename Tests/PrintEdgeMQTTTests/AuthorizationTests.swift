import PrintEdgeBrokerSupport
import PrintEdgeMQTT
import Testing
import PrintEdgeTestSupport

@Suite("Password authentication and ACLs")
struct AuthorizationTests {
    private static let broker = MosquittoBroker.Configuration(
        users: ["agent": "s3cret-password"], accessControl: ["user agent", "topic readwrite printedge/v1/farm/#"])

    @Test("the right user name and password connect")
    func rightPasswordConnects() async throws {
        let broker = try await MosquittoBroker(Self.broker)
        let (client, log) = try await connectedClient(broker.options(clientID: "auth-ok") {
            $0.credentials = MQTTCredentials(userName: "agent", password: "s3cret-password")
        })
        #expect(log.all.compactMap(\.connection).count == 1)
        await client.stop()
    }

    @Test("a wrong password is refused with an error naming the broker and the password", arguments: [
        MQTTProtocolPreference.mqtt5WithFallback, .mqtt311Only,
    ])
    func wrongPasswordIsRefused(preference: MQTTProtocolPreference) async throws {
        let broker = try await MosquittoBroker(Self.broker)
        let client = try MQTTClient(options: broker.options(clientID: "auth-wrong") {
            $0.credentials = MQTTCredentials(userName: "agent", password: "guess")
            $0.protocolPreference = preference
        })
        let log = EventLog(client)
        try client.start()

        let down = try await log.next("refusal") { $0.disconnection }

        let error = try #require(down.error)
        guard case .connectionRefused(let server, _, _) = error else {
            Issue.record("expected connectionRefused, got \(error)")
            return
        }
        #expect(server == "127.0.0.1:\(broker.port)")
        #expect(error.isAuthorizationFailure)
        #expect(error.description.contains("user name and password"), "\(error)")
        #expect(down.reconnectDelay != nil)
        #expect(log.all.compactMap(\.connection).isEmpty)
        await client.stop()
    }

    @Test("a publish the ACL forbids is acknowledged with 0x87 not authorized, a refusal, not a success")
    func forbiddenPublishIsAFailure() async throws {
        let broker = try await MosquittoBroker(Self.broker)
        let (client, log) = try await connectedClient(broker.options(clientID: "acl-publish") {
            $0.credentials = MQTTCredentials(userName: "agent", password: "s3cret-password")
        })

        let forbidden = try client.publish(topic: "printedge/v1/other-farm/p1/events", payload: "not mine")
        let allowed = try client.publish(topic: "printedge/v1/farm/p1/events", payload: "mine")

        let first = try await log.next("PUBACK") { $0.publishAcknowledgement }
        let second = try await log.next("PUBACK") { $0.publishAcknowledgement }
        #expect(first == MQTTPublishAcknowledgement(messageID: forbidden, reasonCode: .notAuthorized))
        #expect(!first.isAccepted)
        #expect("\(first.reasonCode)" == "Not authorized (0x87)")
        #expect(second.messageID == allowed && second.isAccepted)
        await client.stop()
    }

    @Test("a subscription the broker forbids comes back refused (0x87) and is not renewed on reconnect")
    func forbiddenSubscriptionIsRefused() async throws {
        // mosquitto 2.0's ACL file is applied at delivery and grants every SUBSCRIBE; the
        // dynamic-security plugin checks subscriptions when they are made.
        let broker = try await MosquittoBroker(MosquittoBroker.Configuration(usesDynamicSecurity: true))
        for command in [
            ["createClient", "dashboard", "-p", "other"], ["createRole", "viewer"],
            ["addRoleACL", "viewer", "subscribePattern", "printedge/v1/#", "allow"], ["addClientRole", "dashboard", "viewer"],
        ] {
            try await broker.dynamicSecurity(command)
        }
        let (client, log) = try await connectedClient(broker.options(clientID: "acl-subscribe") {
            $0.credentials = MQTTCredentials(userName: "dashboard", password: "other")
        })

        try client.subscribe("printedge/v1/farm/+/status")
        try client.subscribe("secrets/#")

        let allowed = try await log.next("SUBACK") { $0.subscriptionAcknowledgement }
        let refused = try await log.next("SUBACK") { $0.subscriptionAcknowledgement }
        #expect(allowed.results.map(\.grantedQoS) == [.atLeastOnce])
        #expect(refused.results == [MQTTSubscriptionResult(filter: "secrets/#", reasonCode: .notAuthorized)])
        #expect(refused.results.first?.grantedQoS == nil)

        try await broker.restart()
        _ = try await log.next("reconnected") { $0.connection }
        let renewed = try await log.next("SUBACK after reconnect") { $0.subscriptionAcknowledgement }
        #expect(renewed.results.map(\.filter) == ["printedge/v1/farm/+/status"])
        await client.stop()
        #expect(log.all.compactMap(\.subscriptionAcknowledgement).count == 3, "the refused filter was not sent again")
    }
}
