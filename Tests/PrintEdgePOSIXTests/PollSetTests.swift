import Glibc
import PrintEdgePOSIX
import Synchronization
import Testing

@Suite("Waiting on descriptors")
struct PollSetTests {
    @Test("a wait with nothing ready returns none after the timeout")
    func timeoutReturnsNothingReady() throws {
        let wakeup = try WakeupPipe()
        var set = PollSet()
        let slot = set.add(wakeup.fileDescriptor, interest: .readable)
        let timeout = Duration.milliseconds(20)
        let start = SuspendingClock.now  // CLOCK_MONOTONIC, as ppoll's timeout

        let ready = try set.wait(timeout: timeout)

        #expect(ready == 0)
        #expect(set.readiness(ofSlot: slot).isEmpty)
        // ppoll never returns early on timeout; an upper bound would be a timing threshold.
        #expect(SuspendingClock.now - start >= timeout)
    }

    @Test("a wake from another thread ends a wait, and draining makes it block again")
    func wakeFromAnotherThreadEndsWait() throws {
        let wakeup = try WakeupPipe()
        var set = PollSet()
        let slot = set.add(wakeup.fileDescriptor, interest: .readable)
        let waker = try ThreadRunner { wakeup.wake() }

        let ready = try set.wait(timeout: stallLimit)
        waker.join()

        #expect(ready == 1)
        #expect(set.readiness(ofSlot: slot) == .readable)
        #expect(wakeup.drain())
        #expect(try set.wait(timeout: .zero) == 0)
        #expect(wakeup.drain() == false)
    }

    @Test("a signal handler's wake ends a wait, even when the signal interrupts ppoll")
    func signalHandlerWakesWait() throws {
        let wakeup = try WakeupPipe()
        let armed = try WakeupPipe()
        signalWakeupDescriptor = wakeup.fileDescriptor
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            WakeupPipe.wake(fileDescriptor: signalWakeupDescriptor)
        }
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        #expect(sigaction(SIGUSR1, &action, &previous) == 0)
        defer { sigaction(SIGUSR1, &previous, nil) }

        let outcome = Mutex<Result<Int, SystemCallError>?>(nil)
        let waiter = try ThreadRunner {
            // Threads made from the concurrency pool inherit its mask, which blocks every
            // signal; a daemon's I/O thread must unblock the ones it wants too.
            var usr1 = sigset_t()
            sigemptyset(&usr1)
            sigaddset(&usr1, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &usr1, nil)
            var set = PollSet()
            set.add(wakeup.fileDescriptor, interest: .readable)
            armed.wake()
            // Usually the signal lands inside this ppoll (EINTR, retried); if it lands just
            // before, the handler's wake is already pending. Both must end in readable.
            let result = Result { () throws(SystemCallError) in try set.wait(timeout: stallLimit) }
            outcome.withLock { $0 = result }
        }
        var armedSet = PollSet()
        armedSet.add(armed.fileDescriptor, interest: .readable)
        #expect(try armedSet.wait(timeout: stallLimit) == 1)

        #expect(pthread_kill(waiter.thread, SIGUSR1) == 0)
        waiter.join()

        #expect(try outcome.withLock { try $0?.get() } == 1)
        #expect(wakeup.drain())
    }

    @Test("an effectively infinite timeout neither traps nor delays a ready descriptor")
    func hugeTimeoutIsAccepted() throws {
        let wakeup = try WakeupPipe()
        wakeup.wake()
        var set = PollSet()
        set.add(wakeup.fileDescriptor, interest: .readable)
        #expect(try set.wait(timeout: .seconds(Int64.max)) == 1)
        #expect(try set.wait(timeout: nil) == 1)
    }

    @Test("a descriptor is reported invalid rather than failing the whole wait")
    func closedDescriptorIsInvalid() throws {
        var set = PollSet()
        let slot = set.add(1_000_000, interest: .readable)
        #expect(try set.wait(timeout: .zero) == 1)
        #expect(set.readiness(ofSlot: slot) == .invalid)
    }
}

/// Only a safety net so a broken wait fails the test instead of hanging the run; no test
/// asserts anything about how long a wake-up takes.
let stallLimit: Duration = .seconds(5)

/// Read by the SIGUSR1 handler, which can capture nothing.
nonisolated(unsafe) var signalWakeupDescriptor: Int32 = -1

/// A plain pthread: the cooperative pool must not be blocked, and the work must really run
/// on another kernel thread.
final class ThreadRunner {
    private(set) var thread = pthread_t()

    init(_ body: @escaping @Sendable () -> Void) throws {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            box.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw SystemCallError(operation: "pthread_create", subject: "test thread", errno: result)
        }
    }

    func join() {
        pthread_join(thread, nil)
    }
}
