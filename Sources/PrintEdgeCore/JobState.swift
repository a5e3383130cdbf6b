/// Where a job is in its life, as stored in `job.state` (the schema's CHECK lists the same
/// raw values, so a typo cannot reach the disk).
///
/// The table of allowed steps lives here rather than in the daemon so that every writer,
/// including crash recovery at start-up, goes through the same rules.
public enum JobState: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// Spooled and analysed, waiting for its printer.
    case queued
    /// Lines are being streamed to the printer.
    case printing
    /// The host holds the next lines (operator pause, filament change); heaters stay on.
    case paused
    /// The final sync came back: every line was executed.
    case completed
    /// The printer or the link failed (firmware `Error:`, kill, link lost); can be requeued.
    case failed
    /// An operator cancelled it.
    case cancelled
    /// The daemon stopped while the job was printing or paused (crash, power loss); an
    /// operator may recover it from a layer start or cancel it, never automatically.
    case interrupted
    /// An emergency stop (M112): the printer must be reset; the job cannot continue.
    case aborted

    /// The states this one may move to; the recovery and requeue steps are the only ways back.
    public var allowedNextStates: Set<JobState> {
        switch self {
        case .queued: [.printing, .cancelled]
        case .printing: [.paused, .completed, .failed, .cancelled, .interrupted, .aborted]
        case .paused: [.printing, .cancelled, .failed, .interrupted, .aborted]
        case .interrupted: [.printing, .cancelled]
        case .failed: [.queued]
        case .completed, .cancelled, .aborted: []
        }
    }

    public func canTransition(to next: JobState) -> Bool {
        allowedNextStates.contains(next)
    }

    /// No step leads out of this state.
    public var isFinal: Bool { allowedNextStates.isEmpty }

    /// The job owns its printer: at most one such job per printer (a partial unique index).
    public var holdsPrinter: Bool { self == .printing || self == .paused }

    /// The job's run is over (for now): `ended_at_ms` is set on entering this state.
    public var endsRun: Bool {
        switch self {
        case .completed, .failed, .cancelled, .aborted: true
        case .queued, .printing, .paused, .interrupted: false
        }
    }

    public var description: String { rawValue }
}
