/// M303's relay autotune, `Temperature::PID_autotune` (module/temperature.cpp, Marlin 2.1),
/// as a state machine fed one temperature sample at a time.
///
/// The heater runs at `bias + d` until the temperature passes the target, then at
/// `bias - d` until it falls back below it, each phase at least 5 s. From the second
/// heating switch on, `bias` moves toward equal heating and cooling times and `d` is
/// the distance to the nearer power limit; from the fourth, the oscillation's amplitude
/// and period give Ku = 4d / (π (max - min) / 2) and Tu, and Ziegler–Nichols gains
/// (hotend: "Classic PID", Kp = 0.6 Ku, Ki = 2 Kp / Tu, Kd = Kp Tu / 8; bed: "No
/// overshoot", Kp = 0.2 Ku, Ki = 2 Kp / Tu, Kd = Kp Tu / 3). It finishes once the cycle
/// count passes both C and 2, so `C1`/`C2` finish with all-zero gains, as Marlin does.
///
/// Each sample is one turn of Marlin's loop, in its order: the switch, the overshoot
/// check (more than MAX_OVERSHOOT_PID_AUTOTUNE = 30 °C past the target), the 2-second
/// temperature report with the heating watch (WATCH_TEMP_PERIOD 40 s / WATCH_BED_TEMP_PERIOD
/// 60 s for a 2 °C rise, until within TEMP_HYSTERESIS + 3 °C of the target), the
/// MAX_CYCLE_TIME_PID_AUTOTUNE (20 min) timeout, and the end.
struct PIDAutotune: Sendable {
    enum HeaterKind: Sendable {
        case hotend
        case bed

        /// PID_MAX / MAX_BED_POWER.
        var maximumPower: Int { 255 }
        var watchPeriodMilliseconds: Int64 { self == .hotend ? 40_000 : 60_000 }
    }

    /// What a heating switch measured; the result only from the fourth switch on.
    struct CycleReport: Sendable {
        var bias: Int
        var d: Int
        var minimumCelsius: Double
        var maximumCelsius: Double
        var result: CycleResult?
    }

    /// The ultimate gain and period, and the gains they give.
    struct CycleResult: Sendable {
        var ku: Double
        var tu: Double
        var gains: PIDConstants
    }

    /// How a run ends.
    enum End: Sendable, Equatable {
        case finished(PIDConstants)
        /// `PID Autotune failed! Temperature too high`.
        case temperatureTooHigh
        /// `PID Autotune failed! timeout`.
        case timeout
        /// The watch saw no rise: `Heating failed`, fatal.
        case heatingFailed
        /// Heated, then fell more than 30 °C below the target: `Thermal Runaway`, fatal.
        case thermalRunaway
    }

    /// What one sample leads to, in the order Marlin prints it.
    struct SampleAction: Sendable {
        /// A heating switch from the second on: the `bias:` line.
        var cycle: CycleReport?
        /// The 2-second ` T:… @:…` report is due.
        var reportsTemperatures = false
        var end: End?
    }

    let kind: HeaterKind
    let targetCelsius: Double
    let requestedCycles: Int

    /// The heater's soft PWM, 0…127 (`soft_pwm_amount`, what `@:` shows).
    private(set) var softPWM: Int
    private var bias: Int
    private var d: Int
    private var heating = true
    private var cycles = 0
    private var switchedToHeatingAt: Int64 = 0
    private var switchedToCoolingAt: Int64 = 0
    private var highMilliseconds: Int64 = 0
    private var lowMilliseconds: Int64 = 0
    private var maximumCelsius = 0.0
    private var minimumCelsius = 10_000.0
    private var gains = PIDConstants(p: 0, i: 0, d: 0)
    private var nextReportAt: Int64 = 0
    private var nextWatchCelsius = 0.0
    private var watchExpiresAt: Int64
    private var heated = false

    /// Starts at millisecond 0 at full power (`SHV(bias)` with bias = 255 >> 1).
    init(kind: HeaterKind, targetCelsius: Double, cycles: Int) {
        self.kind = kind
        self.targetCelsius = targetCelsius
        requestedCycles = cycles
        bias = kind.maximumPower >> 1
        d = bias
        softPWM = bias
        watchExpiresAt = kind.watchPeriodMilliseconds
    }

    /// The heater's power as a fraction of full.
    var powerFraction: Double { Double(softPWM) / 127 }

    /// A temperature sample at `milliseconds` since M303 started.
    mutating func temperatureSampled(_ celsius: Double, atMilliseconds milliseconds: Int64) -> SampleAction {
        var action = SampleAction()
        maximumCelsius = max(maximumCelsius, celsius)
        minimumCelsius = min(minimumCelsius, celsius)
        if heating && celsius > targetCelsius && milliseconds >= switchedToHeatingAt + 5000 {
            heating = false
            softPWM = (bias - d) >> 1
            switchedToCoolingAt = milliseconds
            highMilliseconds = switchedToCoolingAt - switchedToHeatingAt
            maximumCelsius = targetCelsius
        }
        if !heating && celsius < targetCelsius && milliseconds >= switchedToCoolingAt + 5000 {
            heating = true
            switchedToHeatingAt = milliseconds
            lowMilliseconds = switchedToHeatingAt - switchedToCoolingAt
            if cycles > 0 { action.cycle = nextCycle() }
            softPWM = (bias + d) >> 1
            cycles += 1
            minimumCelsius = targetCelsius
        }
        if celsius > targetCelsius + 30 {
            action.end = .temperatureTooHigh
            return action
        }
        if milliseconds >= nextReportAt {
            action.reportsTemperatures = true
            nextReportAt = milliseconds + 2000
            if !heated {
                if celsius > nextWatchCelsius {
                    nextWatchCelsius = celsius + 2
                    watchExpiresAt = milliseconds + kind.watchPeriodMilliseconds
                    if celsius > targetCelsius - 6 { heated = true }
                } else if milliseconds >= watchExpiresAt {
                    action.end = .heatingFailed
                    return action
                }
            } else if celsius < targetCelsius - 30 {
                action.end = .thermalRunaway
                return action
            }
        }
        if milliseconds - min(switchedToCoolingAt, switchedToHeatingAt) > 20 * 60 * 1000 {
            action.end = .timeout
            return action
        }
        if cycles > requestedCycles && cycles > 2 {
            action.end = .finished(gains)
        }
        return action
    }

    /// The bias and swing for the next cycle, and the gains once three cycles are in.
    private mutating func nextCycle() -> CycleReport {
        let maximumPower = kind.maximumPower
        let total = lowMilliseconds + highMilliseconds
        if total > 0 {
            bias += Int(Int64(d) * (highMilliseconds - lowMilliseconds) / total)
        }
        bias = min(maximumPower - 20, max(20, bias))
        d = bias > maximumPower >> 1 ? maximumPower - 1 - bias : bias
        var report = CycleReport(bias: bias, d: d, minimumCelsius: minimumCelsius, maximumCelsius: maximumCelsius)
        if cycles > 2 {
            let ku = (4 * Double(d)) / (Double.pi * (maximumCelsius - minimumCelsius) * 0.5)
            let tu = Double(total) * 0.001
            let isBed = kind == .bed
            let p = ku * (isBed ? 0.2 : 0.6)
            gains = PIDConstants(p: p, i: p * 2 / tu, d: p * tu * (isBed ? 1.0 / 3.0 : 1.0 / 8.0))
            report.result = CycleResult(ku: ku, tu: tu, gains: gains)
        }
        return report
    }
}
