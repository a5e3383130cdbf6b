/// A heater as physics, for when the firmware drives its power directly (M303): a block
/// heated through a dead time and losing heat to the room, read through a thermistor that
/// lags behind it. Dead time and lag make a relay-controlled heater overshoot and
/// oscillate, which is what Marlin's autotune measures; a first-order model would switch
/// back and forth at the sampling rate instead.
///
/// Stepped at a fixed interval of printer time; `--speedup` only changes how much wall
/// time a step takes, never the physics.
struct ThermalPlant: Sendable {
    struct Parameters: Sendable, Equatable {
        var fullPowerWatts: Double
        var heatCapacityJoulesPerKelvin: Double
        var lossWattsPerKelvin: Double
        var deadTimeSeconds: Double
        var sensorLagSeconds: Double
    }

    /// A 60 W cartridge in an aluminium block: about 70 s from the room to 210 °C, a quarter
    /// of full power holds 210 °C, and a relay around it swings ±3 °C over about 17 s,
    /// close to the hotend runs captured in MarlinFirmware/Configurations#641.
    static let hotend = Parameters(
        fullPowerWatts: 60, heatCapacityJoulesPerKelvin: 12, lossWattsPerKelvin: 0.08,
        deadTimeSeconds: 2, sensorLagSeconds: 3)
    /// A 250 W bed: about 4 minutes to 60 °C, half power holds it, swinging ±0.5 °C over
    /// about 30 s (MarlinFirmware/Marlin#27761 shows Ku 320–370 for a bed at 60 °C).
    static let bed = Parameters(
        fullPowerWatts: 250, heatCapacityJoulesPerKelvin: 900, lossWattsPerKelvin: 3.5,
        deadTimeSeconds: 3, sensorLagSeconds: 6)

    static let stepSeconds = 0.1

    let parameters: Parameters
    private(set) var blockCelsius: Double
    /// What the firmware reads.
    private(set) var sensorCelsius: Double
    /// Power fractions on their way through the dead time, as a ring.
    private var delayLine: [Double]
    private var delayIndex = 0

    init(parameters: Parameters, celsius: Double) {
        self.parameters = parameters
        blockCelsius = celsius
        sensorCelsius = celsius
        let slots = max(1, Int((parameters.deadTimeSeconds / ThermalPlant.stepSeconds).rounded()))
        delayLine = [Double](repeating: 0, count: slots)
    }

    /// One step with the heater at `power` (0…1).
    mutating func step(power: Double) {
        delayLine[delayIndex] = min(1, max(0, power))
        delayIndex += 1
        if delayIndex == delayLine.count { delayIndex = 0 }
        let applied = delayLine[delayIndex]
        let dt = ThermalPlant.stepSeconds
        let watts = parameters.fullPowerWatts * applied - parameters.lossWattsPerKelvin * (blockCelsius - Heater.ambientCelsius)
        blockCelsius += dt * watts / parameters.heatCapacityJoulesPerKelvin
        sensorCelsius += dt * (blockCelsius - sensorCelsius) / parameters.sensorLagSeconds
    }
}

/// `--heater-fault`: a heater that makes M303 fail, each the way Marlin reports it.
public enum HeaterFault: String, Sendable, Equatable, CaseIterable {
    /// Three times the power behind a long lag: the temperature runs more than
    /// MAX_OVERSHOOT_PID_AUTOTUNE (30 °C) past the target: `PID Autotune failed!
    /// Temperature too high`.
    case overshoot
    /// Too weak to reach the target (it settles 2 °C short), though fast enough to pass the
    /// heating watch: no crossing for 20 minutes, `PID Autotune failed! timeout`.
    case weak
    /// The heater never warms (a broken cartridge): the watch period passes without the
    /// temperature rising, `Error:Heating failed, system stopped!` and the printer halts.
    case dead

    /// The plant for a heater with this fault, tuned at `targetCelsius`.
    func parameters(from healthy: ThermalPlant.Parameters, targetCelsius: Double) -> ThermalPlant.Parameters {
        var faulty = healthy
        switch self {
        case .overshoot:
            faulty.fullPowerWatts *= 3
            faulty.deadTimeSeconds *= 3
            faulty.sensorLagSeconds *= 2
        case .weak:
            faulty.heatCapacityJoulesPerKelvin = faulty.lossWattsPerKelvin * 60
            faulty.fullPowerWatts = faulty.lossWattsPerKelvin * max(1, targetCelsius - 2 - Heater.ambientCelsius)
        case .dead:
            faulty.fullPowerWatts = 0
        }
        return faulty
    }
}
