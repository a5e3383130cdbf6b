import FoundationEssentials
import PrintEdgeAgent

/// `printedge-sim --stats FILE`: what the virtual printer counted (written on SIGTERM).
struct SimulatorReport: Decodable {
    var linesExecuted: Int
    var bytesReceived: Int
    var overrunBytes: Int
    var checksumErrors: Int
    var lineNumberErrors: Int
    var resendsRequested: Int
    /// Seconds with an empty planner and command queue between two moves.
    var plannerStarvedSeconds: Double
    var bytesSent: Int
    var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case linesExecuted = "lines_executed"
        case bytesReceived = "bytes_received"
        case overrunBytes = "overrun_bytes"
        case checksumErrors = "checksum_errors"
        case lineNumberErrors = "line_number_errors"
        case resendsRequested = "resends_requested"
        case plannerStarvedSeconds = "planner_starved_s"
        case bytesSent = "bytes_sent"
        case elapsedSeconds = "elapsed_s"
    }
}

extension Decodable {
    /// Decodes the last line of `path` that holds a JSON object; nil if there is none.
    static func decodeLastObject(in path: String) -> Self? {
        guard let text = Workspace.contents(of: path) else { return nil }
        for line in text.split(separator: "\n").reversed() where line.hasPrefix("{") {
            if let value = try? JSONDecoder().decode(Self.self, from: Data(line.utf8)) { return value }
        }
        return nil
    }
}
