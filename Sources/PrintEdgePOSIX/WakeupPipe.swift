import CPOSIX
import Glibc

/// A descriptor another thread or a signal handler pokes to interrupt a `PollSet.wait`:
/// how Ctrl-C and shutdown reach an I/O loop blocked in ppoll.
///
/// Named for the classic self-pipe trick, built on an eventfd: one descriptor instead of
/// two, and any number of wake-ups collapse into one counter that cannot fill up.
///
/// `Sendable` because the descriptor never changes after `init` and is closed only in
/// `deinit`, when no other reference can still be waking it.
public final class WakeupPipe: Sendable {
    /// Add to a `PollSet` with `.readable` interest.
    public let fileDescriptor: Int32

    public init() throws(SystemCallError) {
        let fd = cposix_eventfd()
        guard fd >= 0 else {
            throw SystemCallError(operation: "eventfd", subject: "wake-up descriptor", errno: errno)
        }
        fileDescriptor = fd
    }

    deinit {
        // Not retried on EINTR: Linux releases the descriptor even then.
        _ = close(fileDescriptor)
    }

    /// Makes the descriptor readable until `drain()`. Async-signal-safe.
    public func wake() {
        WakeupPipe.wake(fileDescriptor: fileDescriptor)
    }

    /// For a signal handler, which can only reach a raw descriptor kept in a global: one
    /// write(2), no allocation, errno preserved.
    public static func wake(fileDescriptor: Int32) {
        _ = cposix_eventfd_signal(fileDescriptor)
    }

    /// Consumes pending wake-ups so the next wait blocks again; returns whether any were
    /// pending.
    @discardableResult
    public func drain() -> Bool {
        var count: UInt64 = 0
        guard cposix_eventfd_drain(fileDescriptor, &count) == 0 else { return false }
        return count > 0
    }
}
