/// How long the firmware took to acknowledge each line, from the moment the host handed it to
/// the port to its `ok`, counted in fixed buckets.
///
/// An `ok` comes when the command leaves Marlin's command queue (for a move: when it enters the
/// planner), so this is the wire time plus the queue's wait: a few milliseconds on an idle
/// printer, up to a planner move's duration while the planner is full, and seconds for `M109`,
/// `G28` or a firmware that is struggling. The buckets span that range.
///
/// Recording touches no heap: the counts live in a buffer allocated once with the histogram.
/// Buckets are not cumulative here (each observation counts once, in the first bucket whose
/// bound holds it); the exposition makes them cumulative. Each bucket keeps the sum of its own
/// observations too, so that a reader that replays increments into another histogram keeps
/// both its counts and its sum exact.
public struct ReplyLatencyHistogram: Sendable, Equatable {
    /// Upper bounds, inclusive, in nanoseconds: 1 ms to 10 s; beyond the last, the overflow bucket.
    public static let boundsNanoseconds: [Int64] = [
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000,
        250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]

    /// The bounds as durations, for an exposition with the same buckets.
    public static var bounds: [Duration] { boundsNanoseconds.map { .nanoseconds($0) } }

    /// Observations per bucket; the last one counts those above every bound.
    public private(set) var counts: [Int]
    /// The sum of each bucket's observations, in nanoseconds.
    public private(set) var sumsNanoseconds: [Int64]

    public init() {
        counts = Array(repeating: 0, count: Self.boundsNanoseconds.count + 1)
        sumsNanoseconds = Array(repeating: 0, count: Self.boundsNanoseconds.count + 1)
    }

    public var count: Int { counts.reduce(0, +) }

    public mutating func record(_ latency: Duration) {
        let nanoseconds = max(0, latency.nanosecondsClamped)
        var bucket = 0
        while bucket < Self.boundsNanoseconds.count, nanoseconds > Self.boundsNanoseconds[bucket] { bucket += 1 }
        counts[bucket] += 1
        sumsNanoseconds[bucket] &+= nanoseconds
    }
}
