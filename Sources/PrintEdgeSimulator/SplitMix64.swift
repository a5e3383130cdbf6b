/// The simulator's only source of randomness: SplitMix64 (Steele, Lea & Flood, 2014).
///
/// Seeded once from `--seed`, so a run driven on a virtual clock replays bit for bit.
/// Each fault (receive noise, transmit noise, dropped `ok`s) draws from its own stream,
/// split off the seed at start, so turning one fault up does not reshuffle the others.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

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
