import Foundation
@testable import PrintEdgeStore
import Testing
@testable import PrintEdgeDaemon

@Suite struct FleetTopicsTests {
    private let topics = FleetTopics(prefix: "printedge/v1", fleet: "farm", agent: "pi-7")

    private func message(_ kind: OutboxMessage.Kind, payload: String = "{}", printer: String = "mk4") -> OutboxMessage {
        OutboxMessage(id: 3, printerID: printer, sequence: 42, kind: kind, payload: payload, createdAtMS: 1_700_000_000_123, deliveredAtMS: nil)
    }

    @Test func eachKindHasItsTopicAndOnlyStatusAndJobRecordsAreRetained() {
        #expect(topics.destination(of: message(.jobEvent)) == ("printedge/v1/farm/mk4/events", false))
        #expect(topics.destination(of: message(.status)) == ("printedge/v1/farm/mk4/status", true))
        #expect(topics.destination(of: message(.telemetry)) == ("printedge/v1/farm/mk4/telemetry", false))
        #expect(topics.destination(of: message(.reply)) == ("printedge/v1/farm/mk4/cmd/reply", false))
        #expect(topics.destination(of: message(.jobRecord, payload: #"{"job_id":17,"state":"queued"}"#)) == ("printedge/v1/farm/mk4/jobs/17", true))
        #expect(topics.agentOnline == "printedge/v1/farm/agent/pi-7/online")
    }

    @Test func commandsAreRecognisedByTheirPrinterAndSubtopic() {
        #expect(topics.command(in: "printedge/v1/farm/mk4/cmd")! == ("mk4", "cmd"))
        #expect(topics.command(in: "printedge/v1/farm/mk4/files/t1/0")! == ("mk4", "files/t1/0"))
        #expect(topics.command(in: "printedge/v1/farm/mk4/cmd/reply") == nil)
        #expect(topics.command(in: "printedge/v1/other/mk4/cmd") == nil)
        #expect(topics.command(in: "printedge/v1/farm/mk4") == nil)
    }

    @Test func aHostNameBecomesOneTopicLevel() {
        #expect(FleetTopics.agentName(hostName: "pi-7.local") == "pi-7.local")
        #expect(FleetTopics.agentName(hostName: "a/b+c#") == "a-b-c-")
        #expect(FleetTopics.agentName(hostName: "") == "unnamed")
    }

    @Test func theEnvelopeWrapsTheStoredPayloadByteForByte() throws {
        let bytes = FleetEnvelope.bytes(for: message(.jobEvent, payload: #"{"kind":"started","job_id":1}"#))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == #"{"v":1,"type":"event","printer":"mk4","seq":42,"at_ms":1700000000123,"data":{"kind":"started","job_id":1}}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect(parsed?["seq"] as? Int == 42)
    }

    @Test func anEnvelopeEscapesWhatJSONNeedsEscaped() throws {
        let bytes = FleetEnvelope.bytes(for: message(.status, printer: "odd\"id"))
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect(parsed?["printer"] as? String == "odd\"id")
    }
}
