import PrintEdgeControl
import PrintEdgeCore

/// What a console and `send` make of a line the firmware sent, by `FirmwareReply`'s reading.
enum ReplyLine {
    /// The firmware refused a command: `echo:Unknown command: "G2 8"`, or an `Error:` other
    /// than the line errors the link recovers from itself by sending the line again.
    static func isRefusal(_ text: String) -> Bool {
        switch FirmwareReply(parsing: text) {
        case .unknownCommand: true
        case .error(let error): !error.requestsResend
        default: false
        }
    }

    /// Lines a console hides unless asked (Ctrl-T): a bare `ok` (an `ok` carrying M105's
    /// temperatures answers a question and is shown), temperature autoreports (M155),
    /// `busy: processing` keepalives and `wait`. They carry no news for a person and arrive
    /// several times a second while printing. `busy: paused for user` is news: the printer
    /// waits for someone (an M0/M1) and nothing else will say so.
    static func isNoise(_ text: String) -> Bool {
        switch FirmwareReply(parsing: text) {
        case .ok(let ok): ok.temperatures == nil
        case .busy(let reason): reason == .processing
        case .temperature, .wait: true
        default: false
        }
    }

    /// An `ok` carrying temperatures: the answer to M105 — the console's, or the daemon's own
    /// poll, which a person did not ask for.
    static func isTemperatureAnswer(_ text: String) -> Bool {
        if case .ok(let ok) = FirmwareReply(parsing: text) { return ok.temperatures != nil }
        return false
    }

    /// The daemon reports a firmware message or error twice: the line as it came
    /// (`echo:Unknown command: "M9876"`, a `reply`) and what it says (`Unknown command:
    /// "M9876"`, a `message` or `error`), not always next to each other. The second repeats
    /// one of the `recentReplies`.
    static func repeats(_ event: ConsoleEvent, recentReplies: RingOfReplies) -> Bool {
        guard event.kind == "message" || event.kind == "error", !event.text.isEmpty else { return false }
        return recentReplies.lines.contains { $0.hasSuffix(event.text) }
    }

    /// The last few reply lines a stream brought.
    struct RingOfReplies {
        private(set) var lines: [String] = []
        static let size = 8

        mutating func append(_ line: String) {
            lines.append(line)
            if lines.count > Self.size { lines.removeFirst() }
        }
    }
}
