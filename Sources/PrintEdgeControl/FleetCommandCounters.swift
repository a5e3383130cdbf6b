/// How many fleet commands and file chunks came in, and what became of them: in
/// `printedge status --json` (per printer) and in the fleet status message. A refusal is
/// counted by its error code, so a misbehaving sender shows as, say, a climbing `bad_json`.
public struct FleetCommandCounters: Codable, Sendable, Equatable {
    /// Payloads on `cmd`, whatever they held.
    public var received: Int
    /// Commands carried out (their reply was `accepted` or `done`).
    public var accepted: Int
    /// Commands refused, by error code (`bad_json`, `busy`...), replies included that came
    /// later (a transfer refused by its SHA-256).
    public var refused: [String: Int]
    /// Repeats of a command already handled (the same payload from the same id: MQTT QoS 1
    /// redelivers), ignored.
    public var duplicates: Int
    /// Chunks on `files/…` taken, and refused (unknown transfer, wrong length).
    public var chunksReceived: Int
    public var chunksRefused: Int
    /// Files delivered (chunks or URL) and verified, and those that failed.
    public var transfersCompleted: Int
    public var transfersFailed: Int

    public init(received: Int = 0, accepted: Int = 0, refused: [String: Int] = [:], duplicates: Int = 0,
                chunksReceived: Int = 0, chunksRefused: Int = 0, transfersCompleted: Int = 0, transfersFailed: Int = 0) {
        self.received = received
        self.accepted = accepted
        self.refused = refused
        self.duplicates = duplicates
        self.chunksReceived = chunksReceived
        self.chunksRefused = chunksRefused
        self.transfersCompleted = transfersCompleted
        self.transfersFailed = transfersFailed
    }

    /// All refusals, whatever their code.
    public var refusedTotal: Int { refused.values.reduce(0, +) }

    /// Sums two sets of counters (a printer's into the daemon's).
    public static func + (lhs: FleetCommandCounters, rhs: FleetCommandCounters) -> FleetCommandCounters {
        FleetCommandCounters(
            received: lhs.received + rhs.received, accepted: lhs.accepted + rhs.accepted,
            refused: lhs.refused.merging(rhs.refused, uniquingKeysWith: +), duplicates: lhs.duplicates + rhs.duplicates,
            chunksReceived: lhs.chunksReceived + rhs.chunksReceived, chunksRefused: lhs.chunksRefused + rhs.chunksRefused,
            transfersCompleted: lhs.transfersCompleted + rhs.transfersCompleted, transfersFailed: lhs.transfersFailed + rhs.transfersFailed)
    }

    enum CodingKeys: String, CodingKey {
        case received, accepted, refused, duplicates
        case chunksReceived = "chunks_received"
        case chunksRefused = "chunks_refused"
        case transfersCompleted = "transfers_completed"
        case transfersFailed = "transfers_failed"
    }
}
