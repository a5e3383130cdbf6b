import Foundation
import Synchronization

/// The end of a child process started with Foundation's `Process`, as its termination handler
/// reports it: awaited by any number of tasks, none of which holds a thread meanwhile (unlike
/// `waitUntilExit`, which spins the caller's run loop until the child has gone).
public final class ProcessExit: Sendable {
    public struct Outcome: Sendable {
        public var status: Int32
        public var reason: Process.TerminationReason
    }

    private struct State {
        var outcome: Outcome?
        var waiters: [CheckedContinuation<Outcome, Never>] = []
    }

    private let state = Mutex(State())

    /// Takes `process`'s termination handler; call before `run()`.
    public init(of process: Process) {
        process.terminationHandler = { [self] process in
            let outcome = Outcome(status: process.terminationStatus, reason: process.terminationReason)
            let waiters = state.withLock { state in
                state.outcome = outcome
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: outcome) }
        }
    }

    /// How it ended; nil while it runs. Readable from any thread.
    public var outcome: Outcome? { state.withLock { $0.outcome } }

    public var hasExited: Bool { outcome != nil }

    public func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let outcome = state.withLock { state in
                if state.outcome == nil { state.waiters.append(continuation) }
                return state.outcome
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }
}
