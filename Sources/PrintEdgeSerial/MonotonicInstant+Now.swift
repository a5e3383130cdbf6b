import Glibc
import PrintEdgeCore

extension MonotonicInstant {
    /// Reads CLOCK_MONOTONIC, which NTP steps and RTC-less Pi boots (the wall clock starts
    /// in 1970 until the network comes up) never move.
    ///
    /// Lives in the adapter layer because the core never reads a clock: the I/O loop reads
    /// it once per event and hands the instant in.
    public static func now() -> MonotonicInstant {
        var time = timespec()
        // CLOCK_MONOTONIC cannot fail on Linux with a valid pointer.
        _ = clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }
}
