/// How consistent the cycles of a tune were. Marlin reports the constants of its last cycle
/// only; Klipper's `PID_CALIBRATE` takes the cycle with the median period
/// (`pid_calibrate.py calc_final_pid`). Both are shown here, with the spread of each constant
/// over the cycles as a quality signal: a wide spread means a noisy thermistor or draughts, and
/// the last cycle's values are then little better than a guess.
public struct PIDCycleStatistics: Codable, Sendable, Equatable {
    /// The median, least and greatest value of one constant over the cycles.
    public struct Spread: Codable, Sendable, Equatable {
        public var median: Double
        public var minimum: Double
        public var maximum: Double

        /// (maximum − minimum) ÷ median, in percent; nil when the median is zero.
        public var percentOfMedian: Double? {
            median == 0 ? nil : (maximum - minimum) / abs(median) * 100
        }

        init(_ values: [Double]) {
            let sorted = values.sorted()
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            minimum = sorted[0]
            maximum = sorted[sorted.count - 1]
        }

        enum CodingKeys: String, CodingKey {
            case median, minimum, maximum
            case percentOfMedian = "percent_of_median"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            median = try container.decode(Double.self, forKey: .median)
            minimum = try container.decode(Double.self, forKey: .minimum)
            maximum = try container.decode(Double.self, forKey: .maximum)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(median, forKey: .median)
            try container.encode(minimum, forKey: .minimum)
            try container.encode(maximum, forKey: .maximum)
            try container.encodeIfPresent(percentOfMedian, forKey: .percentOfMedian)
        }
    }

    /// Cycles that carried constants.
    public var cycleCount: Int
    public var kp: Spread
    public var ki: Spread
    public var kd: Spread
    /// The cycle whose period is the median one (the lower middle for an even count), the
    /// way Klipper picks its result: its constants belong together, unlike three medians.
    public var medianPeriodCycle: PIDCycle

    /// Nil when no cycle carried constants (a tune of fewer than three cycles).
    public init?(cycles: [PIDCycle]) {
        let tuned = cycles.filter { $0.constants != nil && $0.ultimatePeriodSeconds != nil }
        guard !tuned.isEmpty else { return nil }
        let constants = tuned.compactMap(\.constants)
        cycleCount = tuned.count
        kp = Spread(constants.map(\.kp))
        ki = Spread(constants.map(\.ki))
        kd = Spread(constants.map(\.kd))
        let byPeriod = tuned.sorted { ($0.ultimatePeriodSeconds ?? 0, $0.number) < ($1.ultimatePeriodSeconds ?? 0, $1.number) }
        medianPeriodCycle = byPeriod[(byPeriod.count - 1) / 2]
    }

    enum CodingKeys: String, CodingKey {
        case cycleCount = "cycle_count"
        case kp, ki, kd
        case medianPeriodCycle = "median_period_cycle"
    }
}
