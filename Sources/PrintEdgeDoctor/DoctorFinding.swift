/// One thing `printedge doctor` found: what it checked, on what, how it stands, why, and
/// the exact command that fixes it.
public struct DoctorFinding: Codable, Sendable, Equatable {
    public enum Level: String, Codable, Sendable, Comparable, CaseIterable {
        /// Does not apply to this host (not a Raspberry Pi, no USB printer, no `[mqtt]`):
        /// the reason says why.
        case notApplicable = "not_applicable"
        case ok
        /// Works now, but is the usual cause of trouble later (a by-id name two boards
        /// share, brltty waiting for a CH340 to be plugged in).
        case warning
        /// Breaks the daemon or a print (the port cannot be opened, another program holds it).
        case problem

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        /// `printedge doctor`'s exit status for the worst finding: 0, 1, 2, as `health`'s.
        public var exitStatus: Int32 {
            switch self {
            case .notApplicable, .ok: 0
            case .warning: 1
            case .problem: 2
            }
        }
    }

    /// `device.access`, `brltty`, `fleet.broker`… (docs/operations.md lists them).
    public var check: String
    /// What it is about: a printer (`printer mk3s`), a device, a file; `nil` for the host.
    public var subject: String?
    public var level: Level
    /// What was found, or why it does not apply.
    public var message: String
    /// The command(s) that fix it, to copy as they are; below `warning`, none.
    public var fix: String?

    public init(_ check: String, subject: String? = nil, _ level: Level, _ message: String, fix: String? = nil) {
        self.check = check
        self.subject = subject
        self.level = level
        self.message = message
        self.fix = fix
    }
}
