import Foundation
import PrintEdgeBrokerSupport
import PrintEdgeMQTT
import PrintEdgeTestSupport

/// The fleet's side of the commands: an MQTT client publishing on printers' `cmd` and
/// `files/…` topics (QoS 1), and `mosquitto_sub` writing every reply from their `cmd/reply`
/// to a file, one per line.
///
/// Its waits sleep with `Task.sleep`, not `Thread.sleep`: a blocked thread of the cooperative
/// pool (two on a two-core machine) starves the in-process daemon tests of other suites.
final class FleetCommander {
    let client: MQTTClient
    let base: String
    private let subscriber: BrokerProcess
    private let output: FileHandle
    private var pending: [UInt8] = []
    private var replies: [[String: Any]] = []

    init(broker: MosquittoBroker, fleet: String, in scratch: TemporaryDirectory) async throws {
        base = "printedge/v1/\(fleet)"
        let path = scratch.file("fleet-commander.replies")
        let filter = "\(base)/+/cmd/reply"
        subscriber = try BrokerProcess("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(broker.port)", "-t", filter, "-q", "1", "-i", "fleet-replies", "-F", "%p",
        ], appendingOutputTo: path)
        let deadline = ContinuousClock.now + .seconds(20)
        while !broker.log.contains("fleet-replies 1 \(filter)") {
            guard ContinuousClock.now < deadline, subscriber.isRunning else {
                throw SimulatorError(description: "mosquitto_sub did not subscribe: \(broker.log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        output = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        client = try MQTTClient(options: broker.options(clientID: "fleet-commander"))
        try client.start()
        // `publish` refuses until the connection is up; libmosquitto's own thread makes it.
        while (try? client.publish(topic: "\(base)/fleet-commander/ready", payload: "1")) == nil {
            guard ContinuousClock.now < deadline else { throw SimulatorError(description: "the fleet commander did not connect") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() async {
        await client.stop()
    }

    func command(_ payload: some Collection<UInt8>, printer: String) throws {
        _ = try client.publish(topic: "\(base)/\(printer)/cmd", payload: payload)
    }

    func command(_ text: String, printer: String) throws {
        try command(Array(text.utf8), printer: printer)
    }

    func chunk(_ bytes: [UInt8], transfer: String, index: Int, printer: String) throws {
        _ = try client.publish(topic: "\(base)/\(printer)/files/\(transfer)/\(index)", payload: bytes)
    }

    /// The reply envelopes received so far, in arrival order (read on from where the last call
    /// stopped).
    var received: [[String: Any]] {
        pending += output.availableData
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[..<newline]
            replies.append((try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
                           ?? ["undecodable": String(decoding: line, as: UTF8.self)])
            pending.removeSubrange(...newline)
        }
        return replies
    }

    var count: Int { received.count }

    /// Waits until `count` replies have arrived (a hang guard, not a timing expectation).
    func waitForReplies(_ count: Int, limit: Duration = .seconds(120)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + limit
        while self.count < count {
            guard ContinuousClock.now < deadline else {
                throw SimulatorError(description: "\(self.count) of \(count) replies after \(limit)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return received
    }

    /// The reply document (`data`) whose `id` is `id`.
    func reply(to id: String, limit: Duration = .seconds(120)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let found = received.lazy.compactMap({ $0["data"] as? [String: Any] }).first(where: { $0["id"] as? String == id }) {
                return found
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw SimulatorError(description: "no reply to \(id) after \(limit); replies: \(received)")
    }
}
