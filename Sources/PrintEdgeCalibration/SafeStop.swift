/// What leaves the printer safe when a session ends badly: the heaters it turned on off, the
/// motion it started stopped. Returned with every failure, cancellation and lost link.
///
/// `emergencyLines` go out at once, ahead of anything queued (`M108` ends a heating wait or an
/// `M303` tune, `M410` drops the planned moves); firmware without EMERGENCY_PARSER (off in
/// stock Marlin) only acts on them once the running command returns. `lines` follow in order.
/// After a lost link the driver sends both when the link is back, before anything else (a
/// board that reset on reconnect has everything off already; these cost nothing then).
public struct SafeStop: Sendable, Equatable, Codable {
    public var emergencyLines: [String]
    public var lines: [String]

    public init(emergencyLines: [String] = [], lines: [String] = []) {
        self.emergencyLines = emergencyLines
        self.lines = lines
    }

    public var isEmpty: Bool { emergencyLines.isEmpty && lines.isEmpty }

    enum CodingKeys: String, CodingKey {
        case emergencyLines = "emergency_lines"
        case lines
    }
}
