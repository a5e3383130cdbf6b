/// G-code lines a session wants sent, in order. A session issues a batch only when nothing of
/// its own is in flight (after `start`, `commandsHandled` or an answer), so every batch waits
/// for the previous one; only the emergency lines of a `SafeStop` jump the queue.
public struct CommandBatch: Sendable, Equatable, Codable {
    public var lines: [String]
    /// What the lines do, for a progress line: "homing", "probing the mesh".
    public var purpose: String
    /// While this batch runs the driver sends nothing else to the printer: no `M105` polls, no
    /// manual G-code, no other session. M303 needs it: on STM32 native-USB boards Marlin
    /// flushes its receive buffer when the tune ends (`M303.cpp` calls `queue.flush_rx()`), so
    /// whatever was sent during the tune is dropped without an `ok` (research §1.0).
    public var isExclusive: Bool
    /// How long the batch may take before the driver calls `timedOut` (a hang guard for a
    /// firmware that never answers, not an expectation). M303 may take its cycles × 20
    /// minutes in the worst case.
    public var limit: Duration

    public init(_ lines: [String], purpose: String, isExclusive: Bool = false, limit: Duration = .seconds(120)) {
        self.lines = lines
        self.purpose = purpose
        self.isExclusive = isExclusive
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey {
        case lines, purpose
        case isExclusive = "exclusive"
        case limitSeconds = "limit_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lines = try container.decode([String].self, forKey: .lines)
        purpose = try container.decode(String.self, forKey: .purpose)
        isExclusive = try container.decode(Bool.self, forKey: .isExclusive)
        limit = .seconds(try container.decode(Int64.self, forKey: .limitSeconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lines, forKey: .lines)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(isExclusive, forKey: .isExclusive)
        try container.encode(limit.components.seconds, forKey: .limitSeconds)
    }
}
