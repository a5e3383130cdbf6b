import Dispatch

/// Runs async work to completion from the bench's synchronous sections. The bench's main
/// thread only waits; the work runs on the cooperative pool, as it does in the daemon.
enum Blocking {
    static func run<Failure: Error>(_ body: @escaping @Sendable () async throws(Failure) -> Void) throws(BenchError) {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await body()
            } catch {
                outcome.set("\(error)")
            }
            done.signal()
        }
        done.wait()
        if let message = outcome.message { throw BenchError(message) }
    }

    /// Written by the task before it signals, read after the wait: the semaphore orders them.
    private final class Outcome: @unchecked Sendable {
        private(set) var message: String?
        func set(_ message: String) { self.message = message }
    }
}
