/// How long to wait before the next connection attempt: exponential growth up to a ceiling,
/// with random jitter.
///
/// Jitter matters for a fleet: when a broker restarts, hundreds of agents lose it in the same
/// second, and without jitter they would all come back in the same second too, every time,
/// at exactly the moment the broker is busiest (the "thundering herd"). With `jitterRatio`
/// 0.5 each delay is drawn from the upper half of its exponential step, which spreads the
/// herd while still growing the delay.
///
/// A value type with no clock and no random source of its own: the caller passes the
/// generator and the uptime, so tests are deterministic.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The delay after the first failure.
    public var initialDelay: Duration
    /// The ceiling the doubling stops at. A connection that stayed up this long counts as
    /// healthy, and the next failure starts again from `initialDelay`.
    public var maximumDelay: Duration
    /// Which fraction of each step is random, 0...1: a delay lies in
    /// `step × (1 − jitterRatio) ... step`. 0 is plain doubling, 1 is "full jitter".
    public var jitterRatio: Double

    /// Failures since the last healthy connection; the exponent of the next step.
    public private(set) var consecutiveFailures = 0

    public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60), jitterRatio: Double = 0.5) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitterRatio = jitterRatio
    }

    /// The undisturbed step for the next attempt: `initialDelay × 2^failures`, at most
    /// `maximumDelay`.
    public var nextStep: Duration {
        let initial = Self.nanoseconds(initialDelay)
        let maximum = Self.nanoseconds(maximumDelay)
        // Past 2^40 any sane initial delay exceeds any sane ceiling; the cap keeps the shift
        // from overflowing.
        let exponent = min(consecutiveFailures, 40)
        let (scaled, overflow) = initial.multipliedReportingOverflow(by: Int64(1) << exponent)
        return .nanoseconds(overflow ? maximum : min(scaled, maximum))
    }

    /// The delay before the next attempt, and one more failure counted. Takes one value from
    /// `random`; its top 53 bits, read as a fraction of 1, are the share of the jitter taken
    /// off (0 takes none: the full step).
    public mutating func nextDelay(using random: inout some RandomNumberGenerator) -> Duration {
        let step = Self.nanoseconds(nextStep)
        consecutiveFailures += 1
        let ratio = min(max(jitterRatio, 0), 1)
        let fraction = Double(random.next() >> 11) * 0x1p-53
        let jitter = Double(step) * ratio * fraction
        return .nanoseconds(step - Int64(jitter.rounded(.down)))
    }

    /// Reports how long the connection that just ended had been up: one that outlived
    /// `maximumDelay` was healthy, so the next failure is a new incident and starts small. A
    /// connection dropped right after CONNACK (a duplicate client id, an ACL kick) keeps
    /// backing off instead of hammering the broker at `initialDelay`.
    public mutating func connectionEnded(afterUptime uptime: Duration) {
        if uptime >= maximumDelay {
            consecutiveFailures = 0
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : whole &+ attoseconds / 1_000_000_000
    }
}
