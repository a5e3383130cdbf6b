import Glibc

extension timespec {
    /// Negative durations become zero (a deadline already passed means "do not wait"), and
    /// sub-nanosecond parts are truncated: the kernel cannot use them.
    public init(clamping duration: Duration) {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) {
            self.init(tv_sec: 0, tv_nsec: 0)
        } else {
            self.init(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        }
    }
}
