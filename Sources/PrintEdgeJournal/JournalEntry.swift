import FoundationEssentials
import Logging

/// One line of `journalctl -o json` read into a `LogRecord`.
///
/// Each entry is a JSON object of journal fields, every value a string (journalctl(1),
/// "json"): `MESSAGE` (without the `<N>` prefix journald took as `PRIORITY`), `PRIORITY`
/// ("0"–"7"), `__REALTIME_TIMESTAMP` (microseconds since the epoch), `_PID`. A `MESSAGE` that
/// is not valid UTF-8 comes as an array of byte values instead, and one too large for
/// journalctl's limit as `null`.
public enum JournalEntry {
    public static func record(json line: some Collection<UInt8>) -> LogRecord? {
        guard let entry = try? JSONDecoder().decode(Fields.self, from: Data(line)), let message = entry.message else { return nil }
        let (fields, text) = LogLine.parseBody(message)
        return LogRecord(level: LogLine.level(priority: entry.priority.flatMap { Int($0) } ?? 6), text: text, fields: fields,
                         timeMS: entry.realtime.flatMap { Int64($0) }.map { $0 / 1000 }, pid: entry.pid.flatMap { Int32($0) })
    }

    private struct Fields: Decodable {
        var message: String?
        var priority: String?
        var realtime: String?
        var pid: String?

        enum CodingKeys: String, CodingKey {
            case message = "MESSAGE"
            case priority = "PRIORITY"
            case realtime = "__REALTIME_TIMESTAMP"
            case pid = "_PID"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? container.decodeIfPresent(String.self, forKey: .message) {
                message = text
            } else if let bytes = try? container.decodeIfPresent([UInt8].self, forKey: .message) {
                message = String(decoding: bytes, as: UTF8.self)
            }
            priority = try? container.decodeIfPresent(String.self, forKey: .priority)
            realtime = try? container.decodeIfPresent(String.self, forKey: .realtime)
            pid = try? container.decodeIfPresent(String.self, forKey: .pid)
        }
    }
}
