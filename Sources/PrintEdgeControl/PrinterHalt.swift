/// Why a printer is `halted`, and since when: the firmware stopped dead (Marlin's `kill()`:
/// heaters and steppers off, the host ignored) and only a reset brings it back, which the
/// daemon does not try by itself — a halt means someone should look at the machine first.
public struct PrinterHalt: Codable, Sendable, Equatable {
    /// `emergency_stop`: M112 went out from here (`printedge estop`, the console's Ctrl-X, the
    /// fleet, the GPIO button); `firmware`: the firmware halted by itself (`Error:Printer
    /// halted. kill() called!`, a thermal runaway, `Printer stopped due to errors`).
    public var cause: String
    /// What happened, in words: who sent the stop, or the firmware's own message.
    public var reason: String
    /// Milliseconds since the Unix epoch when the halt was seen.
    public var atMS: Int64

    public init(cause: String, reason: String, atMS: Int64) {
        self.cause = cause
        self.reason = reason
        self.atMS = atMS
    }

    enum CodingKeys: String, CodingKey {
        case cause, reason
        case atMS = "at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cause, forKey: .cause)
        try container.encode(reason, forKey: .reason)
        try container.encodeTime(atMS, forKey: .atMS)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cause: try container.decode(String.self, forKey: .cause), reason: try container.decode(String.self, forKey: .reason),
                  atMS: try container.decodeTime(forKey: .atMS))
    }
}
