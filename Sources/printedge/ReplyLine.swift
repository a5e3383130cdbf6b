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
    /// `busy:` keepalives and `wait`. They carry no news for a person and arrive several
    /// times a second while printing.
    static func isNoise(_ text: String) -> Bool {
        switch FirmwareReply(parsing: text) {
        case .ok(let ok): ok.temperatures == nil
        case .temperature, .busy, .wait: true
        default: false
        }
    }
}
