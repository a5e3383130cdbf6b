import Foundation
import Testing

/// Runs each test (or each test of a suite) on a thread of its own instead of Swift's
/// cooperative pool.
///
/// The pool has one thread per core: two here, two on a Pi. A synchronous test holds its
/// thread from start to end, so a few long ones (thousands of co-simulated lines, a pty
/// driven in a loop) take the whole pool for minutes on a busy machine, and every test
/// waiting meanwhile for a daemon's reply, a broker or a child process gets no thread to
/// notice it: its hang guard, measured in wall time, runs out. On a thread of its own the
/// long test shares the cores with the rest through the kernel's scheduler instead.
///
/// The test's async work inherits the thread (tasks it starts in groups or with `async let`
/// run there too), so this is for synchronous tests, or tests that are mostly synchronous.
/// At most one such test per core runs at a time: more would only share the same cores, and
/// leave the pool's threads a smaller share of them.
public struct ThreadOfItsOwn: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// Each test case gets a thread; a suite itself none (it runs nothing of its own). Both
    /// protocols give a default, so this one says which.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        await Admission.shared.enter()
        let thread = ThreadExecutor()
        var failure: (any Error)?
        do {
            try await withTaskExecutorPreference(thread) { try await function() }
        } catch {
            failure = error
        }
        thread.finish()
        await Admission.shared.leave()
        if let failure { throw failure }
    }
}

/// Lets in as many tests as there are cores; the others wait without holding a thread.
private actor Admission {
    static let shared = Admission(width: ProcessInfo.processInfo.activeProcessorCount)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        free = max(width, 1)
    }

    func enter() async {
        guard free == 0 else {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

extension Trait where Self == ThreadOfItsOwn {
    /// See `ThreadOfItsOwn`.
    public static var onThreadOfItsOwn: Self { Self() }
}

/// Runs `body`, which blocks (a child process run to its end, a pipe read to end-of-file),
/// on a thread of its own, and awaits its result without holding a thread of the pool.
public func onThreadOfItsOwn<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Swift.Result { try body() }) }
    }
}

/// A task executor with one thread, which sleeps while no job is queued and ends with `finish`.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var finished = false

    init() {
        Thread.detachNewThread { [self] in runJobs() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// The thread ends once the jobs queued so far have run.
    func finish() {
        condition.withLock {
            finished = true
            condition.signal()
        }
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty, !finished { condition.wait() }
            guard !jobs.isEmpty else {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
