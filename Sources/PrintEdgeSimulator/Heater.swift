import Glibc

/// A heater (hotend or bed) as a first-order system: the temperature approaches its
/// asymptote — the target while heating, ambient when off — exponentially with a fixed
/// time constant. Evaluated in closed form at any instant, so heating costs no events;
/// the instant a wait is satisfied is solved for directly.
struct Heater: Sendable {
    static let ambientCelsius = 25.0

    /// Time constant in nanoseconds (already divided by `--speedup`).
    let timeConstantNanoseconds: Double
    /// Highest target Marlin accepts: HEATER_0_MAXTEMP - HOTEND_OVERSHOOT (275 - 15) for the
    /// hotend, BED_MAXTEMP - BED_OVERSHOOT (150 - 10) for the bed; higher targets are clamped.
    let maximumTargetCelsius: Int
    /// Temperature the heater would settle at on full power, for the `@:` power figure.
    let fullPowerCelsius: Double

    private(set) var targetCelsius = 0
    /// While M303 drives the heater: the soft PWM it applies (`@:`), the temperature coming
    /// from its thermal plant through `drive(celsius:power:at:)`.
    private(set) var drivenPower: Int?
    private var celsiusAtReference = Heater.ambientCelsius
    private var referenceNanoseconds: Int64 = 0

    init(timeConstantNanoseconds: Double, maximumTargetCelsius: Int, fullPowerCelsius: Double, startNanoseconds: Int64) {
        self.timeConstantNanoseconds = max(1, timeConstantNanoseconds)
        self.maximumTargetCelsius = maximumTargetCelsius
        self.fullPowerCelsius = fullPowerCelsius
        referenceNanoseconds = startNanoseconds
    }

    private var asymptote: Double {
        targetCelsius > 0 ? max(Double(targetCelsius), Heater.ambientCelsius) : Heater.ambientCelsius
    }

    func temperature(at instant: Int64) -> Double {
        let elapsed = Double(max(0, instant - referenceNanoseconds))
        return asymptote + (celsiusAtReference - asymptote) * exp(-elapsed / timeConstantNanoseconds)
    }

    mutating func setTarget(_ celsius: Int, at instant: Int64) {
        celsiusAtReference = temperature(at: instant)
        referenceNanoseconds = instant
        targetCelsius = min(max(0, celsius), maximumTargetCelsius)
        drivenPower = nil
    }

    /// M303 read `celsius` with the heater at soft PWM `power`: the heater takes that
    /// temperature, its target 0 as Marlin's `disable_all_heaters()` left it.
    mutating func drive(celsius: Double, power: Int, at instant: Int64) {
        celsiusAtReference = celsius
        referenceNanoseconds = instant
        targetCelsius = 0
        drivenPower = power
    }

    /// Whether the heater is below its target (`isHeatingHotend`).
    func isHeating(at instant: Int64) -> Bool {
        Double(targetCelsius) > temperature(at: instant)
    }

    /// When the temperature comes within `window` °C of the target (or of ambient, for a
    /// target below it, so a cooling wait cannot hang — Marlin breaks such waits when the
    /// temperature stops falling). `instant` itself if it already is.
    func instantWithin(_ window: Double, at instant: Int64) -> Int64 {
        let goal = asymptote
        let distance = abs(temperature(at: instant) - goal)
        guard distance > window else { return instant }
        let nanoseconds = timeConstantNanoseconds * log(distance / window)
        return instant + Int64(min(1.0e17, nanoseconds.rounded(.up)))
    }

    /// The `@:` figure: soft PWM 0…127. Full power while more than a degree below the
    /// target, else what holding the target takes.
    func power(at instant: Int64) -> Int {
        if let drivenPower { return drivenPower }
        guard targetCelsius > 0 else { return 0 }
        let target = Double(targetCelsius)
        if temperature(at: instant) < target - 1 { return 127 }
        let holding = 127 * (target - Heater.ambientCelsius) / (fullPowerCelsius - Heater.ambientCelsius)
        return Int(min(127, max(0, holding.rounded())))
    }
}
