/// M303: PID autotune on the heater's thermal plant (gcode/temp/M303.cpp and
/// `Temperature::PID_autotune`, Marlin 2.1).
///
/// The command blocks the firmware like Marlin's loop does: no serial is read, no
/// `busy:` keepalive and no M155 autoreport (the loop never calls `idle()`), a temperature
/// report every 2 s, M108 (through the emergency parser) ends it silently with the heaters
/// off, M112 kills. Both heaters' targets go to 0 first (`disable_all_heaters()`), so
/// reports show `/0.00`. The plant is stepped every 100 ms of printer time; `--speedup`
/// divides the wall time between steps.
///
/// Where the model is simpler: no STM32 USB `flush_rx()` at the end (commands sent during
/// the tune are read afterwards rather than lost), and the heater returns to the simple
/// exponential model when the tune ends.
extension VirtualMarlin {
    static let autotuneSampleMilliseconds: Int64 = 100

    /// M303 E<heater> S<target> C<cycles> U<apply>: E0 is the hotend, E-1 the bed
    /// (PIDTEMPBED); S defaults to PREHEAT_1 (180 / 70), C to 5.
    mutating func startAutotune(_ command: GCodeCommand) {
        let heaterID = command.value("E").map(VirtualMarlin.clampedInt64) ?? 0
        guard heaterID == 0 || heaterID == -1 else {
            printLine("PID Autotune failed! Bad heater id")
            finishCommand(loggedAs: command)
            return
        }
        let heatsBed = heaterID == -1
        let target = VirtualMarlin.celsius(command.value("S") ?? (heatsBed ? 70 : 180))
        let cycles = Int(max(Int64(Int32.min), min(Int64(Int32.max), command.value("C").map(VirtualMarlin.clampedInt64) ?? 5)))
        let appliesResult = command.seen("U") && (command.value("U").map { $0 != 0 } ?? true)
        let heater = heatsBed ? bed : hotend
        // BED_MAX_TARGET, or HEATER_0_MAXTEMP - HOTEND_OVERSHOOT.
        guard target <= heater.maximumTargetCelsius else {
            printLine("PID Autotune failed! Temperature too high")
            finishCommand(loggedAs: command)
            return
        }
        printLine("PID Autotune start")
        let startCelsius = heater.temperature(at: nowNanoseconds)
        hotend.setTarget(0, at: nowNanoseconds)
        bed.setTarget(0, at: nowNanoseconds)
        var parameters = heatsBed ? ThermalPlant.bed : ThermalPlant.hotend
        if let fault = configuration.heaterFault {
            parameters = fault.parameters(from: parameters, targetCelsius: Double(target))
        }
        autotune = AutotuneRun(
            tune: PIDAutotune(kind: heatsBed ? .bed : .hotend, targetCelsius: Double(target), cycles: cycles),
            plant: ThermalPlant(parameters: parameters, celsius: startCelsius),
            heatsBed: heatsBed, appliesResult: appliesResult, startNanoseconds: nowNanoseconds)
        starvedSince = nil
        waitForHeatup = true
        nextKeepaliveAt = nil
        activity = .autotuning(nextSampleAt: nowNanoseconds)
    }

    /// One turn of the autotune loop: sample, act, print, then the plant runs 100 ms on
    /// the power just set.
    mutating func stepAutotune() {
        guard var run = autotune else {
            finishCommand()
            return
        }
        guard waitForHeatup else {
            autotune = nil
            releaseHeaters()
            finishCommand()
            return
        }
        let celsius = run.plant.sensorCelsius
        let action = run.tune.temperatureSampled(celsius, atMilliseconds: run.samples * VirtualMarlin.autotuneSampleMilliseconds)
        if run.heatsBed {
            bed.drive(celsius: celsius, power: run.tune.softPWM, at: nowNanoseconds)
        } else {
            hotend.drive(celsius: celsius, power: run.tune.softPWM, at: nowNanoseconds)
        }
        if let cycle = action.cycle { printCycle(cycle, heatsBed: run.heatsBed) }
        if action.reportsTemperatures {
            beginLine()
            appendTemperatures()
            endLine()
        }
        if let end = action.end {
            autotune = nil
            finishAutotune(run, end)
            return
        }
        run.plant.step(power: run.tune.powerFraction)
        run.samples += 1
        autotune = run
        let elapsed = Double(run.samples * VirtualMarlin.autotuneSampleMilliseconds) * 1e6
        activity = .autotuning(nextSampleAt: run.startNanoseconds + scaled(nanoseconds: elapsed))
    }

    /// ` bias: 61 d: 61 min: 208.01 max: 216.95`, without a line end until the gains come
    /// (from the fourth switch): the next print — the temperature report — continues it.
    private mutating func printCycle(_ cycle: PIDAutotune.CycleReport, heatsBed: Bool) {
        beginLine()
        append(" bias: ")
        append(cycle.bias)
        append(" d: ")
        append(cycle.d)
        append(" min: ")
        appendFloat(cycle.minimumCelsius, decimals: 2)
        append(" max: ")
        appendFloat(cycle.maximumCelsius, decimals: 2)
        guard let result = cycle.result else {
            endPartialLine()
            return
        }
        append(" Ku: ")
        appendFloat(result.ku, decimals: 2)
        append(" Tu: ")
        appendFloat(result.tu, decimals: 2)
        endLine()
        printLine(heatsBed ? " No overshoot" : " Classic PID ")
        beginLine()
        append(" Kp: ")
        appendFloat(result.gains.p, decimals: 2)
        append(" Ki: ")
        appendFloat(result.gains.i, decimals: 2)
        append(" Kd: ")
        appendFloat(result.gains.d, decimals: 2)
        endLine()
    }

    private mutating func finishAutotune(_ run: AutotuneRun, _ end: PIDAutotune.End) {
        switch end {
        case .finished(let gains):
            printLine("PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h")
            for (name, value) in [("Kp ", gains.p), ("Ki ", gains.i), ("Kd ", gains.d)] {
                beginLine()
                append("#define DEFAULT_")
                if run.heatsBed { append("bed") }
                append(string: name)
                appendFloat(value, decimals: 2)
                endLine()
            }
            if run.appliesResult {
                if run.heatsBed { settings.bedPID = gains } else { settings.hotendPID = gains }
            }
        case .temperatureTooHigh:
            printLine("PID Autotune failed! Temperature too high")
        case .timeout:
            printLine("PID Autotune failed! timeout")
        case .heatingFailed, .thermalRunaway:
            // `_temp_error()`: a hotend's id is printed with its own line end, then the
            // common one, so a blank line follows; then `kill()`.
            beginLine()
            append(end == .heatingFailed ? "Error:Heating failed" : "Error:Thermal Runaway")
            append(", system stopped! Heater_ID: ")
            if run.heatsBed {
                append("bed")
                endLine()
            } else {
                append("E0")
                endLine()
                printLine("")
            }
            halt()
            return
        }
        releaseHeaters()
        finishCommand()
    }

    /// The heaters leave M303's hands with their targets at 0.
    private mutating func releaseHeaters() {
        hotend.setTarget(0, at: nowNanoseconds)
        bed.setTarget(0, at: nowNanoseconds)
    }
}

/// An M303 under way: Marlin's algorithm and the heater it drives.
struct AutotuneRun: Sendable {
    var tune: PIDAutotune
    var plant: ThermalPlant
    let heatsBed: Bool
    let appliesResult: Bool
    let startNanoseconds: Int64
    /// Samples taken so far; sample k is at k × 100 ms.
    var samples: Int64 = 0
}
