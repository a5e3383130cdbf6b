import PrintEdgeCore
import PrintEdgeStore

/// What a job's recorded events say about its current run: when it started, since when it
/// is in its state, and how long it has printed with its pauses left out — the base of an
/// ETA that stands still while the job is paused instead of growing with the wall clock.
struct JobTimeline: Equatable {
    /// The run's `started` or `recovered` event.
    private(set) var startedAtMS: Int64?
    /// Whether the run is a recovery (it began part-way through the file).
    private(set) var isRecovery = false
    /// The latest event: when the job entered its state.
    private(set) var stateSinceMS: Int64?
    /// Pauses of this run that ended, added up.
    private(set) var pausedMS: Int64 = 0
    /// The pause under way.
    private(set) var pausedSinceMS: Int64?

    /// `events` oldest first, as `Store.events(jobID:)` gives them.
    init(events: [JobEventRecord]) {
        for event in events {
            // A forced G-code line is history, not a change of state.
            guard event.kind != .gcodeForced else { continue }
            stateSinceMS = event.atMS
            switch event.kind {
            case .started, .recovered:
                startedAtMS = event.atMS
                isRecovery = event.kind == .recovered
                pausedMS = 0
                pausedSinceMS = nil
            case .paused:
                pausedSinceMS = pausedSinceMS ?? event.atMS
            case .resumed:
                if let since = pausedSinceMS { pausedMS += max(0, event.atMS - since) }
                pausedSinceMS = nil
            case .submitted, .completed, .failed, .cancelled, .interrupted, .aborted, .requeued, .gcodeForced:
                break
            }
        }
    }

    /// Seconds printed in this run up to `nowMS`, the pause under way left out.
    func printingSeconds(nowMS: Int64) -> Double? {
        guard let startedAtMS else { return nil }
        let end = pausedSinceMS ?? nowMS
        return Double(max(0, end - startedAtMS - pausedMS)) / 1000
    }
}
