#if canImport(Glibc)
import Glibc
#endif

/// Runs a blocking loop on a thread of its own and awaits its end: a printer's serial loop
/// or the control socket's poll loop must never occupy one of the few threads Swift's
/// cooperative pool has (two on a Pi Zero 2, four on a Pi 4).
enum DedicatedThread {
    static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            let box = Unmanaged.passRetained(ThreadBody {
                continuation.resume(returning: body())
            })
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let body = Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue()
                body.work()
                return nil
            }, box.toOpaque())
            if created == 0 {
                pthread_detach(thread)
            } else {
                // Without a thread, run here: slower to give back the pool thread, but correct.
                box.takeRetainedValue().work()
            }
        }
    }
}

private final class ThreadBody: @unchecked Sendable {
    let work: () -> Void

    init(work: @escaping () -> Void) {
        self.work = work
    }
}
