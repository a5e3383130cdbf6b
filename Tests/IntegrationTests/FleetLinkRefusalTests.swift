import Foundation
import PrintEdgeBrokerSupport
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// What an operator sees of the fleet link, and a broker whose ACL refuses a topic: a real
/// `mosquitto` with an ACL file, `printedged` with a virtual printer, the `printedge` CLI.
@Suite(.serialized) struct FleetLinkRefusalTests {
    static let fleet = "farm"

    /// Anonymous clients (the agent, the fleet tool) may use every topic of printer `sim` but
    /// only read its replies: the agent's `cmd/reply` publishes are refused with "not authorized".
    static func accessControl(replies: String) -> [String] {
        let base = "printedge/v1/\(fleet)"
        return [
            "topic readwrite \(base)/agent/#", "topic readwrite \(base)/fleet-commander/ready",
            "topic readwrite \(base)/sim/status", "topic readwrite \(base)/sim/events", "topic readwrite \(base)/sim/jobs/#",
            "topic readwrite \(base)/sim/telemetry", "topic readwrite \(base)/sim/cmd", "topic readwrite \(base)/sim/files/#",
            "topic \(replies) \(base)/sim/cmd/reply",
        ]
    }

    static func outbox(_ daemon: DaemonProcess) throws -> [OutboxMessage] {
        try Store(path: daemon.stateDirectory + "/printedge.sqlite").outbox(printerID: "sim", limit: 1_000_000)
    }

    static func fleetStatus(_ daemon: DaemonProcess) async throws -> [String: Any] {
        let result = try await daemon.cli(["fleet", "--json"])
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] ?? [:]
    }

    @Test func aReplyTheBrokerRefusesIsSetAsideShownAndSentAgainOnRequest() async throws {
        let scratch = try TemporaryDirectory()
        let broker = try await MosquittoBroker(.init(accessControl: Self.accessControl(replies: "read")))
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], configuration: FleetLinkIntegrationTests.configuration(broker))
        let fleet = try await FleetCommander(broker: broker, fleet: Self.fleet, in: scratch)
        try await daemon.waitUntil("the printer is idle") { try await daemon.printerJSON("sim")["state"] as? String == "idle" }

        try fleet.command(#"{"id":"refused-1","command":"status_request"}"#, printer: "sim")
        var reply: OutboxMessage?
        try await daemon.waitUntil("the broker refuses the reply and the daemon sets it aside") {
            reply = try Self.outbox(daemon).first { $0.kind == .reply && $0.refusedAtMS != nil }
            return reply != nil
        }
        let refused = try #require(reply)
        #expect(refused.deliveredAtMS == nil)
        #expect(refused.refusal?.lowercased().contains("not authorized (0x87)") == true, "\(refused.refusal ?? "no reason")")
        #expect(refused.refusal?.contains("printedge/v1/farm/sim/cmd/reply") == true)

        // The printer's other messages still go out: a status written after the reply is delivered.
        try await daemon.waitUntil("a status after the refused reply is delivered") {
            try Self.outbox(daemon).contains { $0.kind == .status && $0.sequence > refused.sequence && $0.deliveredAtMS != nil }
        }
        let status = try await Self.fleetStatus(daemon)
        let link = try #require(status["fleet"] as? [String: Any])
        #expect(link["state"] as? String == "connected")
        #expect(link["protocol_version"] as? String == "5")
        #expect(link["refused_since_start"] as? Int == 1)
        let printers = try #require(status["printers"] as? [[String: Any]])
        let outbox = try #require(printers.first?["fleet_outbox"] as? [String: Any])
        #expect(outbox["refused"] as? Int == 1)
        #expect((outbox["latest_refusal"] as? String)?.lowercased().contains("(reply): not authorized") == true)
        let text = try await daemon.cli(["status"]).standardOutput
        #expect(text.contains("fleet: connected to 127.0.0.1:\(broker.port) (MQTT 5)"), "\(text)")
        #expect(text.contains("1 refused by the broker"), "\(text)")
        #expect(text.contains("printedge fleet retry"), "\(text)")

        // A reconnect does not send it again: a refusal would be counted again, and it would
        // come before the status written after the reconnect, on the same connection.
        try await broker.restart()
        let reconnectedAtMS = Int64(Date().timeIntervalSince1970 * 1_000)
        try await daemon.waitUntil("a status written after the reconnect is delivered") {
            try Self.outbox(daemon).contains { $0.kind == .status && $0.createdAtMS > reconnectedAtMS && $0.deliveredAtMS != nil }
        }
        #expect(try await Self.fleetStatus(daemon)["fleet"].flatMap { ($0 as? [String: Any])?["refused_since_start"] as? Int } == 1)
        #expect(fleet.received.isEmpty, "no reply reached the fleet")

        // The broker goes down: the operator sees it, and the messages piling up.
        await broker.stop()
        try await daemon.waitUntil("the link is reported down") {
            (try await Self.fleetStatus(daemon)["fleet"] as? [String: Any])?["state"] as? String == "down"
        }
        try await daemon.waitUntil("messages written while the link is down wait") {
            try await daemon.cli(["status"]).standardOutput.contains(" waiting (oldest ")
        }
        let down = try await daemon.cli(["status"]).standardOutput
        #expect(down.contains("fleet: down for "), "\(down)")
        #expect(down.contains("next attempt in"), "\(down)")

        // The ACL is fixed; `printedge fleet retry` sends the reply, which the fleet receives.
        _ = try broker.directory.write("acl", Self.accessControl(replies: "readwrite").joined(separator: "\n") + "\n")
        try await broker.start()
        try await daemon.waitUntil("the link is back") {
            (try await Self.fleetStatus(daemon)["fleet"] as? [String: Any])?["state"] as? String == "connected"
        }
        // A reader subscribed now, on the broker with the fixed ACL, receives the reply.
        let replies = try await FleetSubscriber(broker: broker, filter: "printedge/v1/\(Self.fleet)/sim/cmd/reply", clientID: "retried-replies", in: scratch)
        let retry = try await daemon.cli(["fleet", "retry"])
        #expect(retry.status == 0)
        #expect(retry.standardOutput.contains("1 refused message queued again"), "\(retry.standardOutput)")
        try await daemon.waitUntil("the reply is marked delivered") {
            try Self.outbox(daemon).first { $0.id == refused.id }?.deliveredAtMS != nil
        }
        try await daemon.waitUntil("the fleet receives the reply") {
            replies.messages().contains { $0.data["id"] as? String == "refused-1" }
        }
        let answer = try #require(replies.messages().first { $0.data["id"] as? String == "refused-1" })
        #expect(answer.sequence == Int(refused.sequence), "the reply keeps its place in the printer's sequence")
        #expect(answer.data["status"] as? String == "done")
        #expect(try await daemon.cli(["fleet", "retry"]).standardOutput.contains("no refused messages"))
    }

    @Test func aDaemonWithoutAFleetLinkSaysSoAndQueuesNothingForIt() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"])
        try await daemon.waitUntil("the printer is idle") { try await daemon.printerJSON("sim")["state"] as? String == "idle" }
        let submitted = try await daemon.cli(["jobs", "submit", FleetLinkIntegrationTests.cube, "--printer", "sim"])
        #expect(submitted.status == 0)

        let fleet = try await daemon.cli(["fleet"])
        #expect(fleet.status == 78, "no [mqtt]: EX_CONFIG")
        #expect(fleet.standardError.contains("no [mqtt] section"), "\(fleet.standardError)")
        let retry = try await daemon.cli(["fleet", "retry"])
        #expect(retry.status == 78)
        #expect(try await daemon.cli(["status"]).standardOutput.contains("fleet:") == false)
        #expect(try Self.outbox(daemon).isEmpty, "job events are recorded for the job, not queued for a fleet nobody delivers to")
    }
}
