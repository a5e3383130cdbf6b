import Foundation
import PrintEdgeConfig
import PrintEdgeStore

/// The fleet link's topics (docs/mqtt.md): `<prefix>/<fleet>/<printer>/<what>` for each
/// printer, `<prefix>/<fleet>/agent/<agent>/online` for this daemon.
struct FleetTopics: Sendable {
    /// `<prefix>/<fleet>`.
    let base: String
    /// This daemon's name in topics: its host name, made topic-safe.
    let agent: String

    init(prefix: String, fleet: String, agent: String) {
        base = "\(prefix)/\(fleet)"
        self.agent = agent
    }

    /// Retained "online" while connected, "offline" by the Last Will or at shutdown.
    var agentOnline: String { "\(base)/\(MQTTSettings.agentTopicLevel)/\(agent)/online" }
    /// The printer's commands. Each agent subscribes to its own printers' topics, not to
    /// `+/cmd`: a wildcard would hand every agent every command and file chunk of the fleet,
    /// and each would have to answer for printers it does not have.
    func commands(of printerID: String) -> String { "\(base)/\(printerID)/cmd" }
    /// The printer's file transfers for `start_job`: `<printer>/files/<transfer>/<index>`.
    func files(of printerID: String) -> String { "\(base)/\(printerID)/files/#" }

    /// Where an outbox row is published and whether the broker retains it: the newest status
    /// and each job's newest record are what a consumer connecting later needs; events,
    /// telemetry and replies are a stream.
    func destination(of message: OutboxMessage) -> (topic: String, retain: Bool) {
        let printer = "\(base)/\(message.printerID)"
        switch message.kind {
        case .jobEvent: return ("\(printer)/events", false)
        case .status: return ("\(printer)/status", true)
        case .telemetry: return ("\(printer)/telemetry", false)
        case .reply: return ("\(printer)/cmd/reply", false)
        case .jobRecord:
            let job = try? JSONDecoder().decode(JobReference.self, from: Data(message.payload.utf8))
            return ("\(printer)/jobs/\(job?.jobID ?? 0)", true)
        default: return ("\(printer)/\(message.kind.rawValue)", false)
        }
    }

    /// The printer and the levels after it for a message received on `commands(of:)` or
    /// `files(of:)`; `nil` for any other topic.
    func command(in topic: String) -> (printerID: String, subtopic: String)? {
        guard topic.hasPrefix(base + "/") else { return nil }
        let rest = topic.dropFirst(base.count + 1)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let printerID = String(rest[..<slash])
        let subtopic = String(rest[rest.index(after: slash)...])
        guard !printerID.isEmpty, subtopic == "cmd" || subtopic.hasPrefix("files/") else { return nil }
        return (printerID, subtopic)
    }

    /// A host name as one topic level: letters, digits, `_`, `-` and `.` kept, anything else
    /// (a wildcard, a `/`) becomes `-`.
    static func agentName(hostName: String) -> String {
        let scalars = hostName.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": Character(scalar)
            default: "-"
            }
        }
        return scalars.isEmpty ? "unnamed" : String(scalars)
    }

    private struct JobReference: Decodable {
        var jobID: Int64

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
        }
    }
}
