import PrintEdgeCore
import PrintEdgeStore

/// A printer's job steps that happened but are not in the store yet, because it refuses
/// writes for now: the disk is full (or the store's size limit reached), the card was
/// remounted read-only, or a write failed with an I/O error.
///
/// A step the printer took (a job completed, failed, was paused from its screen) is never
/// dropped: it waits here with the instant it happened, and is written first, oldest first,
/// as soon as the store takes writes again. Later steps of the same printer queue behind it,
/// so a job's history keeps its order. A refusal that waiting cannot fix (the state table
/// forbids the step: a bug) is handed back to be reported.
struct JobEventBacklog: Sendable {
    struct Step: Sendable, Equatable {
        var jobID: Int64
        var state: JobState
        var kind: JobEventKind?
        var detail: String?
        var atMS: Int64
    }

    /// What one `write` did.
    struct Outcome {
        var recorded: [JobRecord] = []
        /// Steps dropped because the store will never take them, with its reason.
        var rejected: [(step: Step, error: StoreError)] = []
    }

    private(set) var steps: [Step] = []
    /// Why the oldest step is still waiting, while one is.
    private(set) var refusal: StoreError?

    var isEmpty: Bool { steps.isEmpty }
    var count: Int { steps.count }

    /// Queues `step` behind the waiting ones; `write` then writes it in turn.
    mutating func append(_ step: Step) {
        steps.append(step)
    }

    /// Writes waiting steps, oldest first, until the store refuses one for now.
    mutating func write(_ transition: (Step) throws(StoreError) -> JobRecord) -> Outcome {
        var outcome = Outcome()
        while let step = steps.first {
            do {
                outcome.recorded.append(try transition(step))
            } catch where Self.isPassing(error) {
                refusal = error
                return outcome
            } catch {
                outcome.rejected.append((step, error))
            }
            steps.removeFirst()
        }
        refusal = nil
        return outcome
    }

    /// The refusals that end when space or the device comes back.
    static func isPassing(_ error: StoreError) -> Bool {
        switch error {
        case .diskFull, .readOnly, .ioError, .busy, .cannotOpen: true
        default: false
        }
    }
}
