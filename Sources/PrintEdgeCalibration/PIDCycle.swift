/// One oscillation of an `M303` tune as Marlin reports it. Marlin prints `bias`, `d`, `min` and
/// `max` from the second crossing on; `Ku`, `Tu` and the constants only once more than two
/// cycles ran (`temperature.cpp PID_autotune`), so the first cycles carry no constants.
public struct PIDCycle: Codable, Sendable, Equatable {
    /// 1 for the first cycle Marlin reported.
    public var number: Int
    public var bias: Double
    public var d: Double
    public var minimumCelsius: Double
    public var maximumCelsius: Double
    public var ultimateGain: Double?
    /// The oscillation period, seconds.
    public var ultimatePeriodSeconds: Double?
    /// `Classic PID` for hotends, `No overshoot` for the bed and chamber.
    public var rule: String?
    public var constants: PIDConstants?

    public init(number: Int, bias: Double, d: Double, minimumCelsius: Double, maximumCelsius: Double, ultimateGain: Double? = nil,
                ultimatePeriodSeconds: Double? = nil, rule: String? = nil, constants: PIDConstants? = nil) {
        self.number = number
        self.bias = bias
        self.d = d
        self.minimumCelsius = minimumCelsius
        self.maximumCelsius = maximumCelsius
        self.ultimateGain = ultimateGain
        self.ultimatePeriodSeconds = ultimatePeriodSeconds
        self.rule = rule
        self.constants = constants
    }

    enum CodingKeys: String, CodingKey {
        case number, bias, d
        case minimumCelsius = "minimum_celsius"
        case maximumCelsius = "maximum_celsius"
        case ultimateGain = "ku"
        case ultimatePeriodSeconds = "tu_seconds"
        case rule, constants
    }
}
