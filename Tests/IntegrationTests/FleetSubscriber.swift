import Foundation
import PrintEdgeBrokerSupport
import PrintEdgeTestSupport
import Testing

/// A fleet consumer: `mosquitto_sub` with a persistent session (QoS 1, clean session off), so
/// the broker keeps what arrives while it reconnects and — with broker persistence — across a
/// broker restart. Every message is appended to a file, one line each.
final class FleetSubscriber {
    /// One received message: retained flag, topic, and the payload parsed as JSON.
    struct Received {
        var retained: Bool
        var topic: String
        var text: String
        var json: [String: Any]

        var sequence: Int { json["seq"] as? Int ?? 0 }
        var printer: String? { json["printer"] as? String }
        var type: String? { json["type"] as? String }
        var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
    }

    let outputPath: String
    private let process: BrokerProcess

    init(broker: MosquittoBroker, filter: String, clientID: String, in scratch: TemporaryDirectory) async throws {
        outputPath = scratch.file("\(clientID).messages")
        process = try BrokerProcess("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(broker.port)", "-t", filter, "-q", "1", "-c", "-i", clientID,
            "-F", "%r %t %p",
        ], appendingOutputTo: outputPath)
        // Subscribed once the broker logged it; messages published before would be lost.
        let deadline = ContinuousClock.now + .seconds(20)
        while !broker.log.contains("\(clientID) 1 \(filter)") {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TestSetupError("mosquitto_sub did not subscribe: \(broker.log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Everything received so far, in arrival order; lines that are not JSON (commands) left out.
    func messages() -> [Received] {
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3,
                  let json = try? JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: Any]
            else { return nil }
            return Received(retained: parts[0] == "1", topic: String(parts[1]), text: String(parts[2]), json: json)
        }
    }

    /// The live stream of one printer (retained copies, delivered again on every subscribe,
    /// left out), each sequence number at its first arrival, and how many copies came again.
    func stream(of printer: String) -> (firstArrivals: [Received], duplicates: [Received]) {
        var seen: [Int: Received] = [:]
        var first: [Received] = []
        var duplicates: [Received] = []
        for message in messages() where !message.retained && message.printer == printer && message.type != "agent" {
            if seen[message.sequence] != nil {
                duplicates.append(message)
            } else {
                seen[message.sequence] = message
                first.append(message)
            }
        }
        return (first, duplicates)
    }

    /// Checks every message against docs/mqtt/schemas with docs/mqtt/validate.py; returns
    /// its report (empty when all are valid).
    func schemaProblems(in scratch: TemporaryDirectory) async throws -> String {
        try await Self.schemaProblems(of: messages().map { "\($0.topic) \($0.text)" }, in: scratch)
    }

    /// Runs docs/mqtt/validate.py, with Debian's python3-jsonschema as CI has it, on lines as
    /// `mosquitto_sub -v` prints them ("<topic> <payload>"); returns its report (empty when
    /// all are valid).
    static func schemaProblems(of lines: [String], in scratch: TemporaryDirectory) async throws -> String {
        let path = scratch.file("to-validate.txt")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await ToolRun("/usr/bin/python3", [repositoryRoot.appendingPathComponent("docs/mqtt/validate.py").path, path])
        if run.status != 0, run.standardOutput.isEmpty {
            return "validate.py exited \(run.status) (is python3-jsonschema installed?): \(run.standardError)"
        }
        return run.standardOutput
    }
}
