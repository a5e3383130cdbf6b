#if canImport(Glibc)
import Glibc
#endif
import Logging

/// How a message is written as one line, and read back.
///
/// The body is the message's fields, then a colon, then its text: `printer=mk3s job=12:
/// paused at layer 5`. Fields come first so a person reading the journal sees which printer
/// at once, and so the reader finds them without guessing where the text ends. A value with
/// a space, a colon, an equals sign, a quote or nothing in it is quoted (`file="cube v2.gcode"`,
/// `\"` and `\\` escaped). A line break in a message is written `\n`: one message, one line,
/// which journald (one entry per line of a stream) and `grep` both need.
///
/// Under journald (`JOURNAL_STREAM` names the stream on standard error) the line starts with
/// the syslog priority, `<4>`, which journald takes as the entry's PRIORITY and strips
/// (sd-daemon(3), `SyslogLevelPrefix=` on by default); the journal adds the time and pid. In
/// a plain file the line starts with the UTC time and the level name instead:
/// `2025-03-01T14:05:12.345Z warning printer=mk3s: …`.
public enum LogLine {
    /// syslog's priorities as sd-daemon(3) writes them: `trace` shares `debug`'s.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The level a journal priority stands for; 0 and 1 (emergency, alert) are `critical`.
    public static func level(priority: Int) -> Logger.Level {
        switch priority {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    public static func body(text: String, fields: [LogField]) -> String {
        let flat = escapingLineBreaks(text)
        guard !fields.isEmpty else { return flat }
        return fields.map { "\(writtenKey($0.key))=\(quotedIfNeeded($0.value))" }.joined(separator: " ") + ": " + flat
    }

    /// `<N>body`, for journald.
    public static func journal(level: Logger.Level, body: String) -> String {
        "<\(priority(level))>" + body
    }

    /// `<time> <level> body`, for a file or a terminal.
    public static func plain(level: Logger.Level, body: String, timeMS: Int64) -> String {
        "\(UTCTimestamp.format(ms: timeMS)) \(level.rawValue) \(body)"
    }

    /// Splits a body into its fields and text; a body that does not start with fields is all text.
    public static func parseBody(_ body: String) -> (fields: [LogField], text: String) {
        let scalars = Array(body.unicodeScalars)
        var index = 0
        var fields: [LogField] = []
        while true {
            let keyStart = index
            while index < scalars.count, isKeyCharacter(scalars[index]) { index += 1 }
            guard index > keyStart, index < scalars.count, scalars[index] == "=" else { return ([], body) }
            let key = String(String.UnicodeScalarView(scalars[keyStart..<index]))
            index += 1
            var value = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                var closed = false
                while index < scalars.count {
                    let scalar = scalars[index]
                    index += 1
                    if scalar == "\\", index < scalars.count {
                        value.append(scalars[index])
                        index += 1
                    } else if scalar == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(scalar)
                    }
                }
                guard closed else { return ([], body) }
            } else {
                while index < scalars.count, !" :\"".unicodeScalars.contains(scalars[index]) {
                    value.append(scalars[index])
                    index += 1
                }
                guard !value.isEmpty else { return ([], body) }
            }
            fields.append(LogField(key, String(value)))
            guard index < scalars.count else { return ([], body) }
            if scalars[index] == " " {
                index += 1
                continue
            }
            guard scalars[index] == ":" else { return ([], body) }
            index += 1
            if index < scalars.count, scalars[index] == " " { index += 1 }
            return (fields, String(String.UnicodeScalarView(scalars[index...])))
        }
    }

    /// A line of a plain file, as `plain` writes it; `nil` for anything else.
    public static func parsePlain(_ line: Substring) -> LogRecord? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let timeMS = UTCTimestamp.parse(parts[0]), let level = Logger.Level(rawValue: String(parts[1])) else {
            return nil
        }
        let (fields, text) = parseBody(String(parts[2]))
        return LogRecord(level: level, text: text, fields: fields, timeMS: timeMS)
    }

    /// Letters, digits, `_`, `-` and `.`: swift-service-lifecycle's `sl-service` among them.
    private static func isKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar)
    }

    /// A key as written: any other character becomes `_`, so the line reads back.
    private static func writtenKey(_ key: String) -> String {
        key.isEmpty ? "_" : String(String.UnicodeScalarView(key.unicodeScalars.map { isKeyCharacter($0) ? $0 : "_" }))
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let plain = !value.isEmpty && !value.unicodeScalars.contains { " :=\"\\\n\r\t".unicodeScalars.contains($0) }
        guard !plain else { return value }
        var quoted = "\""
        for character in escapingLineBreaks(value) {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    private static func escapingLineBreaks(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        var flat = ""
        for character in text {
            switch character {
            case "\n": flat += "\\n"
            case "\r": flat += "\\r"
            case "\r\n": flat += "\\r\\n"
            default: flat.append(character)
            }
        }
        return flat
    }
}
