import PrintEdgeCore

/// A fault that strikes each trial independently with a fixed probability.
struct FaultDice: Sendable {
    /// A trial strikes when a draw is below this; 0 never strikes and skips drawing.
    private let threshold: UInt64
    private let always: Bool
    private var generator: SplitMix64

    init(probability: Double, seed: UInt64) {
        generator = SplitMix64(seed: seed)
        if !(probability > 0) {
            threshold = 0
            always = false
        } else if probability >= 1 {
            threshold = 0
            always = true
        } else {
            // probability * 2^64, below 2^64 because probability < 1.
            let scaled = probability * 18_446_744_073_709_551_616.0
            threshold = scaled >= 18_446_744_073_709_549_568.0 ? UInt64.max : UInt64(scaled)
            always = false
        }
    }

    /// Whether this trial strikes. Draws nothing when the probability is 0, so a fault
    /// that is off costs nothing on the per-byte path.
    mutating func roll() -> Bool {
        if always { return true }
        if threshold == 0 { return false }
        return generator.next() < threshold
    }

    /// A mask with one random bit of a byte set, for a bit flip.
    mutating func bitMask() -> UInt8 {
        UInt8(1) << UInt8(truncatingIfNeeded: generator.next() >> 61)
    }
}
