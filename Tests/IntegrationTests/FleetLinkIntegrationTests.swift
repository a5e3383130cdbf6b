import Foundation
import PrintEdgeBrokerSupport
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// The fleet link end to end: `printedged` with a virtual printer, a real `mosquitto` on
/// 127.0.0.1, and a consumer (`mosquitto_sub`) that sees what a fleet would.
@Suite(.serialized) struct FleetLinkIntegrationTests {
    static let cube = repositoryRoot.appendingPathComponent("hardware/samples/calibration-cube.gcode").path
    static let fleet = "farm"

    /// `[mqtt]` for `broker`: small telemetry messages and a quick heartbeat, so a short print
    /// produces every kind of message.
    static func configuration(_ broker: MosquittoBroker) -> String {
        """

        [mqtt]
        host = "127.0.0.1"
        port = \(broker.port)
        fleet = "\(fleet)"
        client_id = "printedge-test-agent"
        keepalive_s = 5
        telemetry_max_samples = 40
        telemetry_max_age_s = 1
        status_heartbeat_s = 2

        """
    }

    /// Every row of the printer's outbox, from a second connection to the daemon's database.
    static func outbox(_ daemon: DaemonProcess, printer: String) throws -> [OutboxMessage] {
        try Store(path: daemon.stateDirectory + "/printedge.sqlite").outbox(printerID: printer, limit: 1_000_000)
    }

    /// Waits until the outbox has nothing undelivered and the consumer holds every delivered row;
    /// returns the rows.
    static func waitForDelivery(_ daemon: DaemonProcess, _ subscriber: FleetSubscriber, printer: String) async throws -> [OutboxMessage] {
        var rows: [OutboxMessage] = []
        try await daemon.waitUntil("every outbox row is delivered and received", limit: .seconds(180)) {
            rows = try outbox(daemon, printer: printer)
            let delivered = rows.filter { $0.deliveredAtMS != nil }
            guard delivered.count == rows.count, let last = delivered.last else { return false }
            return subscriber.stream(of: printer).firstArrivals.contains { $0.sequence == Int(last.sequence) }
        }
        return rows
    }

    /// The consumer saw exactly the outbox: each row once at least, in sequence order, numbered
    /// 1, 2, 3… without a gap, with the row's payload as `data` on the topic of its kind.
    static func expectSameStream(_ received: [FleetSubscriber.Received], as rows: [OutboxMessage], printer: String) {
        let live = received.filter { $0.sequence <= Int(rows.last?.sequence ?? 0) }
        let expected = rows.isEmpty ? [] : Array(1...rows.count)
        #expect(rows.map { Int($0.sequence) } == expected, "the outbox numbers each printer's messages without a gap")
        #expect(live.map(\.sequence) == expected, "first arrivals in order, none missing")
        let topics = ["event": "events", "status": "status", "telemetry": "telemetry", "reply": "cmd/reply"]
        for (message, row) in zip(live, rows) {
            #expect(message.type == row.kind.rawValue, "seq \(row.sequence)")
            #expect(message.json["v"] as? Int == 1)
            #expect(message.json["at_ms"] as? Int == Int(row.createdAtMS))
            let data = try? JSONSerialization.jsonObject(with: Data(row.payload.utf8)) as? NSDictionary
            #expect(NSDictionary(dictionary: message.data) == data, "seq \(row.sequence): the payload arrived unchanged")
            let base = "printedge/v1/\(fleet)/\(printer)/"
            if let suffix = topics[row.kind.rawValue] {
                #expect(message.topic == base + suffix)
            } else {
                #expect(message.topic == base + "jobs/\(message.data["job_id"] as? Int ?? -1)")
            }
        }
    }

    @Test func aPrintReachesTheFleetInOrderAndEveryMessageMatchesItsSchema() async throws {
        let scratch = try TemporaryDirectory()
        let broker = try await MosquittoBroker()
        let subscriber = try await FleetSubscriber(broker: broker, filter: "printedge/v1/\(Self.fleet)/#", clientID: "consumer", in: scratch)
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], configuration: Self.configuration(broker))

        let submitted = try await daemon.cli(["jobs", "submit", Self.cube, "--start"])
        #expect(submitted.status == 0, "\(submitted.standardError)")
        let job = try await daemon.waitForJob(1)
        #expect(job["state"] as? String == "completed", "\(job) \(daemon.logText)")
        let rows = try await Self.waitForDelivery(daemon, subscriber, printer: "sim")
        await daemon.terminate()

        let (received, _) = subscriber.stream(of: "sim")
        Self.expectSameStream(received, as: rows, printer: "sim")
        let kinds = Set(rows.map(\.kind.rawValue))
        #expect(kinds == ["event", "status", "job", "telemetry"])
        let events = received.filter { $0.type == "event" }.compactMap { $0.data["kind"] as? String }
        #expect(events == ["submitted", "started", "completed"])
        let records = received.filter { $0.type == "job" }.compactMap { $0.data["state"] as? String }
        #expect(records == ["queued", "printing", "completed"])
        let states = received.filter { $0.type == "status" }.compactMap { $0.data["state"] as? String }
        #expect(states.contains("printing") && states.contains("idle"), "\(states)")
        let samples = received.filter { $0.type == "telemetry" }.reduce(0) { $0 + ($1.data["count"] as? Int ?? 0) }
        let stored = try Store(path: daemon.stateDirectory + "/printedge.sqlite").telemetry(printerID: "sim", sinceMS: 0, limit: 1_000_000)
        #expect(samples > 0)
        #expect(samples <= stored.count, "telemetry messages carry samples of the table, none invented")

        // The retained copies a dashboard gets when it subscribes: the newest status and job record.
        let presence = subscriber.messages().filter { $0.type == "agent" }.compactMap { $0.json["state"] as? String }
        #expect(presence.first == "online")
        #expect(presence.last == "offline", "a clean shutdown says offline: \(presence)")
        #expect(try await subscriber.schemaProblems(in: scratch) == "")
    }

    /// The password and the TLS files `DaemonPreflight` read and checked are what the link
    /// connects with: a broker that wants a user, a password and a client certificate.
    @Test func thePasswordAndCertificatesThePreflightCheckedConnectTheLink() async throws {
        let scratch = try TemporaryDirectory()
        let files = try TemporaryDirectory()
        let certificates = try await TestCertificates(in: files)
        let broker = try await MosquittoBroker(.init(
            users: ["agent-1": "s3cret"],
            tls: .init(caFile: certificates.caFile, certificateFile: certificates.serverCertificateFile, keyFile: certificates.serverKeyFile)))
        let password = scratch.file("mqtt-password")
        try "s3cret\n".write(toFile: password, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], configuration: Self.configuration(broker) + """
            username = "agent-1"
            password_file = "\(password)"
            tls_ca_file = "\(certificates.caFile)"
            tls_cert_file = "\(certificates.clientCertificateFile)"
            tls_key_file = "\(certificates.clientKeyFile)"

            """)
        try await daemon.waitUntil("the fleet link is connected") {
            let result = try await daemon.cli(["fleet", "--json"])
            let status = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            return (status?["fleet"] as? [String: Any])?["state"] as? String == "connected"
        }
        try await broker.waitForLog(containing: "u'agent-1'")
        withExtendedLifetime(files) {}
    }

    /// validate.py checks a reply's data against the reply schema of the command it answers
    /// (reply-<command>.json, reply-refusal.json when it names none), not only the envelope
    /// against reply.json; `$ref`s between the schemas resolve.
    @Test func aReplyIsCheckedAgainstTheSchemaOfItsCommand() async throws {
        let scratch = try TemporaryDirectory()
        func reply(_ sequence: Int, _ data: String) -> String {
            #"printedge/v1/\#(Self.fleet)/sim/cmd/reply {"v": 1, "type": "reply", "printer": "sim", "seq": \#(sequence), "at_ms": 1795319229001, "data": \#(data)}"#
        }
        let digest = String(repeating: "0", count: 64)
        let counters = #""commands": {"received": 1, "accepted": 1, "refused": {}, "duplicates": 0, "chunks_received": 0, "chunks_refused": 0, "transfers_completed": 0, "transfers_failed": 0}"#
        let valid = [
            reply(1, #"{"id": "p", "command": "pause", "status": "accepted", "job": {"id": 3, "name": "cube", "state": "paused", "sha256": "\#(digest)", "size_bytes": 10}}"#),
            reply(2, #"{"id": "p2", "command": "pause", "status": "error", "error": {"code": "refused", "message": "printer sim is not printing"}}"#),
            // printer_status is a $ref into status.json.
            reply(3, #"{"id": "s", "command": "status_request", "status": "done", "printer_status": {"state": "idle", "name": "sim", "heaters": {"T0": {"actual_c": 25}}}, \#(counters)}"#),
            reply(4, #"{"id": "x", "command": "nope", "status": "error", "error": {"code": "unknown_command", "message": "nope is not a command"}}"#),
            reply(5, #"{"id": null, "command": null, "status": "error", "error": {"code": "bad_json", "message": "not JSON at byte 0"}}"#),
            reply(6, #"{"id": null, "command": null, "status": "error", "error": {"code": "bad_chunk", "message": "index 999 is out of range"}, "transfer": "t1", "index": 999}"#),
        ]
        #expect(try await FleetSubscriber.schemaProblems(of: valid, in: scratch) == "")

        // Valid for reply.json, whose data is any object; reply-pause.json requires the job of
        // an accepted pause.
        let jobless = try await FleetSubscriber.schemaProblems(of: [reply(7, #"{"id": "p", "command": "pause", "status": "accepted"}"#)], in: scratch)
        #expect(jobless.hasSuffix("reply-pause.json, at data: 'job' is a required property (no alternative of its oneOf matches; nearest shown)\n"), "\(jobless)")
        #expect(jobless.split(separator: "\n").count == 1, "\(jobless)")
        // The data of status.json, reached through the $ref, is checked too.
        let sleeping = try await FleetSubscriber.schemaProblems(
            of: [reply(8, #"{"id": "s", "command": "status_request", "status": "done", "printer_status": {"state": "asleep", "name": "sim", "heaters": {}}, \#(counters)}"#)],
            in: scratch)
        #expect(sleeping.contains("reply-status_request.json, at data/printer_status/state: 'asleep' is not one of"), "\(sleeping)")
    }

    @Test func aBrokerDownAcrossDaemonRestartsLosesNothingAndKeepsTheOrder() async throws {
        let scratch = try TemporaryDirectory()
        let broker = try await MosquittoBroker(.init(persistence: true))
        let subscriber = try await FleetSubscriber(broker: broker, filter: "printedge/v1/\(Self.fleet)/#", clientID: "consumer", in: scratch)
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], speedup: 20, configuration: Self.configuration(broker))
        let started = try await daemon.cli(["jobs", "submit", Self.cube, "--start"])
        #expect(started.status == 0, "\(started.standardError)")
        try await daemon.waitUntil("telemetry reaches the consumer") {
            subscriber.stream(of: "sim").firstArrivals.contains { $0.type == "telemetry" }
        }

        // Past the first layer: a job stopped before anything was printed is not recovered.
        try await daemon.waitUntil("the job prints its second layer") {
            (try await daemon.jobJSON(1)["layer"] as? Int ?? 0) >= 1
        }
        await broker.stop()
        try await daemon.waitUntil("messages wait in the outbox") {
            try Self.outbox(daemon, printer: "sim").filter { $0.deliveredAtMS == nil }.count >= 5
        }
        // A clean stop while the broker is away: the job is interrupted, its events wait.
        await daemon.terminate()
        try await daemon.start()
        let recovered = try await daemon.cli(["jobs", "recover", "1", "--yes"])
        #expect(recovered.status == 0, "\(recovered.standardError)")
        let undeliveredBefore = try Self.outbox(daemon, printer: "sim").filter { $0.deliveredAtMS == nil }.count
        try await daemon.waitUntil("more messages wait") {
            try Self.outbox(daemon, printer: "sim").filter { $0.deliveredAtMS == nil }.count > undeliveredBefore + 3
        }
        // And a crash while it is still away.
        await daemon.killHard()
        try await daemon.start()
        try await broker.start()
        let again = try await daemon.cli(["jobs", "recover", "1", "--yes"])
        #expect(again.status == 0, "\(again.standardError)")
        let job = try await daemon.waitForJob(1)
        #expect(job["state"] as? String == "completed", "\(job) \(daemon.logText)")
        let rows = try await Self.waitForDelivery(daemon, subscriber, printer: "sim")
        await daemon.terminate()

        let (received, duplicates) = subscriber.stream(of: "sim")
        Self.expectSameStream(received, as: rows, printer: "sim")
        let byText = Dictionary(received.map { ($0.sequence, $0.text) }, uniquingKeysWith: { first, _ in first })
        for copy in duplicates {
            #expect(byText[copy.sequence] == copy.text, "a duplicate (seq \(copy.sequence)) is the same message again")
        }
        let events = received.filter { $0.type == "event" }.compactMap { $0.data["kind"] as? String }
        #expect(events == ["submitted", "started", "interrupted", "recovered", "interrupted", "recovered", "completed"])
        #expect(try await subscriber.schemaProblems(in: scratch) == "")
    }
}
