import Foundation
import Synchronization

/// Watches Swift's cooperative pool from a thread of its own, so that a stall of the test
/// process explains itself when it happens: once the pool has not run a job in
/// `stallLimit`, the stacks of its busy threads (which tests hold them, and where) go to
/// standard error, beside the test output.
///
/// The test harnesses that wait on daemons and brokers start it; it never fails a test (the
/// hang guards do that), it only says why they were reached.
public enum PoolWatch {
    /// Long enough that only a stall reaches it, well short of the harnesses' hang guards.
    static let stallLimit: Duration = .seconds(30)

    /// Starts the watch once per test process.
    public static func start() {
        _ = started
    }

    private static let started: Void = {
        Thread.detachNewThread { watch() }
    }()

    private static func watch() {
        let probe = Probe()
        var sent = ContinuousClock.now
        var reported = false
        while true {
            Thread.sleep(forTimeInterval: 1)
            if probe.answered.load(ordering: .acquiring) {
                // A job like any test's: detached, so no task executor preference keeps it off
                // the pool.
                probe.answered.store(false, ordering: .releasing)
                sent = ContinuousClock.now
                reported = false
                Task.detached { probe.answered.store(true, ordering: .releasing) }
            } else if !reported, ContinuousClock.now - sent > stallLimit {
                reported = true
                let stacks = ThreadDump.of(getpid(), busyPoolThreadsOnly: true)
                let text = "printedge tests: Swift's cooperative pool has run no job for \(stallLimit); what holds it:\n\(stacks)\n"
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
    }
}

private final class Probe: Sendable {
    let answered = Atomic<Bool>(true)
}
