/// The daemon's health in one value: what `printedge health` prints, what the systemd
/// watchdog is fed from, and what an HTTP `/healthz` renders. Computed in one place
/// (`HealthVerdict.assess`) from what the daemon knows at that moment; a plain value, so
/// every renderer shows the same verdict.
///
/// Levels, in monitoring's terms (Nagios OK, WARNING, CRITICAL):
/// - `ready`: every check passed.
/// - `degraded`: the daemon does its work, but something needs a person: a printer offline
///   or in error, the fleet link down, the disk filling up, the database refusing writes
///   while a print goes on.
/// - `failed`: the daemon cannot do its work, and a restart is the remedy the watchdog
///   applies: a printer's actor stopped answering, or the database refuses writes with no
///   print under way (nothing can start).
///
/// A full disk is never `failed`: the store's disk-full mode (docs/store.md) keeps printing
/// and catches up once there is room, and a restart frees no byte. Nor is a database that
/// refuses writes while a printer prints: the print goes on with its events held in memory,
/// and a restart would stop it half-way with its heaters on.
public struct HealthVerdict: Codable, Sendable, Equatable {
    public enum Level: String, Codable, Sendable, Comparable, CaseIterable {
        case ready
        case degraded
        case failed

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        /// `printedge health`'s exit status: 0, 1, 2, as monitoring plugins exit.
        public var exitStatus: Int32 {
            switch self {
            case .ready: 0
            case .degraded: 1
            case .failed: 2
            }
        }
    }

    /// The worst level among `checks`.
    public var level: Level
    /// One line: "ready", or the level and every check below ready ("degraded: printer mk3s:
    /// offline …; fleet: down …"); systemd's `STATUS=`.
    public var summary: String
    /// Every check made, in a fixed order: database, disk, each printer, the fleet link.
    public var checks: [HealthCheck]
    /// When the verdict was made, in milliseconds since the Unix epoch.
    public var atMS: Int64

    public init(checks: [HealthCheck], atMS: Int64) {
        self.checks = checks
        self.atMS = atMS
        level = checks.map(\.level).max() ?? .ready
        let problems = checks.filter { $0.level != .ready }
        summary = problems.isEmpty ? Level.ready.rawValue
            : "\(level.rawValue): " + problems.map { "\($0.name): \($0.message)" }.joined(separator: "; ")
    }

    enum CodingKeys: String, CodingKey {
        case level, summary, checks
        case atMS = "at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(level, forKey: .level)
        try container.encode(summary, forKey: .summary)
        try container.encode(checks, forKey: .checks)
        try container.encodeTime(atMS, forKey: .atMS)
    }

    /// The level and summary are read back as sent (a newer daemon's may differ from this
    /// client's derivation).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checks = try container.decode([HealthCheck].self, forKey: .checks)
        atMS = try container.decodeTime(forKey: .atMS)
        level = try container.decode(Level.self, forKey: .level)
        summary = try container.decode(String.self, forKey: .summary)
    }

    /// The watchdog is fed while the daemon does its work; a failed daemon is left to
    /// systemd's `WatchdogSec=`, which restarts it.
    public var feedsWatchdog: Bool { level != .failed }
}

/// One thing the verdict looked at.
public struct HealthCheck: Codable, Sendable, Equatable {
    /// database, disk, printer, fleet.
    public var component: String
    /// The printer's id, for a printer.
    public var subject: String?
    public var level: HealthVerdict.Level
    /// What was found; below ready, also what to do.
    public var message: String

    public init(component: String, subject: String? = nil, level: HealthVerdict.Level, message: String) {
        self.component = component
        self.subject = subject
        self.level = level
        self.message = message
    }

    /// "database", "printer mk3s".
    public var name: String { subject.map { "\(component) \($0)" } ?? component }
}
