import PrintEdgeCore

/// Whether a probe repeats well enough to level a bed with, judged as Klipper judges
/// `PROBE_ACCURACY`: "If the results of the test show a range value that is greater than 25
/// microns (.025mm) then the probe does not have sufficient accuracy for typical bed leveling
/// procedures" (Klipper docs/Probe_Calibrate.md). The range, not the standard deviation:
/// one bad touch in ten ruins a mesh point, and the range shows it where the deviation
/// averages it away.
public struct ProbeAccuracyVerdict: Codable, Sendable, Equatable {
    public static let defaultRangeLimitMM = 0.025

    public var rangeMM: Double
    public var rangeLimitMM: Double
    public var isAccurateEnough: Bool
    public var explanation: String

    public init(_ repeatability: ProbeRepeatability, rangeLimitMM: Double = Self.defaultRangeLimitMM) {
        rangeMM = repeatability.rangeMM
        self.rangeLimitMM = rangeLimitMM
        isAccurateEnough = repeatability.rangeMM <= rangeLimitMM + 1e-9
        let range = GCodeDecimal.fixed(repeatability.rangeMM, decimals: 3)
        let limit = GCodeDecimal.fixed(rangeLimitMM, decimals: 3)
        let deviation = GCodeDecimal.fixed(repeatability.standardDeviationMM, decimals: 4)
        explanation = isAccurateEnough
            ? "the probe is repeatable: its readings span \(range) mm, within \(limit) mm (standard deviation \(deviation) mm)"
            : "the probe is not repeatable enough to level with: its readings span \(range) mm, more than \(limit) mm (standard deviation \(deviation) mm); check that it is tight in its mount, its wiring, and (for a BLTouch) the pin"
    }

    enum CodingKeys: String, CodingKey {
        case rangeMM = "range_mm"
        case rangeLimitMM = "range_limit_mm"
        case isAccurateEnough = "accurate_enough"
        case explanation
    }
}
