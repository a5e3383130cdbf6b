/// What happened to a job, as stored in `job_event.kind` and sent to the fleet.
///
/// The state pair alone cannot tell a resume after a pause from a recovery after a crash,
/// both `→ printing`; the kind names the step in the words an operator uses.
public enum JobEventKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case submitted
    case started
    case paused
    case resumed
    case completed
    case failed
    case cancelled
    case interrupted
    case aborted
    /// An interrupted job continues from a layer start.
    case recovered
    /// A failed job goes back to the end of its printer's queue.
    case requeued
    /// G-code a person forced in under the job (`printedge send --force`); the state is unchanged.
    case gcodeForced = "gcode_forced"

    /// The kind a step gets when the caller names none.
    public static func step(from: JobState, to: JobState) -> JobEventKind {
        switch (from, to) {
        case (.queued, .printing): .started
        case (.paused, .printing): .resumed
        case (_, .printing): .recovered
        case (_, .queued): .requeued
        case (_, .paused): .paused
        case (_, .completed): .completed
        case (_, .failed): .failed
        case (_, .cancelled): .cancelled
        case (_, .interrupted): .interrupted
        case (_, .aborted): .aborted
        }
    }

    public var description: String { rawValue }
}
