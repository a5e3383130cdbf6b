import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibratePIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pid",
        abstract: "Tune a heater's PID with M303, judged over all its cycles; optionally apply (M301/M304) and save (M500).",
        discussion: """
            M303 has the printer to itself while it runs (nothing else is sent, not even temperature polls): STM32 boards drop whatever arrives during the tune. Marlin takes its last cycle's constants; the spread of each constant over the cycles says how much to trust them, and --choose median takes the cycle with the median period, as Klipper does. Ctrl-C sends M108, which ends the tune on firmware with EMERGENCY_PARSER, then turns the heater off.

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(help: "hotend, bed or chamber.") var heater = "hotend"
    @Option(help: "The hotend's number.") var tool: Int?
    @Option(help: ArgumentHelp("The temperature to tune at, °C: the one you print at.", valueName: "celsius")) var temp: Double
    @Option(help: "Oscillation cycles (3-20; 5 to 8 is usual).") var cycles = 5
    @Option(help: ArgumentHelp("Part-cooling fan during the tune, percent (tune as you print).", valueName: "percent")) var fan: Double?
    @Flag(help: "Write the constants (M301, M304 or M309) and read them back.") var apply = false
    @Flag(help: "Also store them (M500) and prove it by reloading (M501); implies --apply.") var save = false
    @Option(help: "Which constants to apply: firmware (Marlin's last cycle) or median (the cycle with the median period).") var choose = "firmware"

    func validate() throws {
        guard ["hotend", "bed", "chamber"].contains(heater) else { throw ValidationError("--heater must be hotend, bed or chamber, not \(heater)") }
        guard ["firmware", "median"].contains(choose) else { throw ValidationError("--choose must be firmware or median, not \(choose)") }
        if tool != nil, heater != "hotend" { throw ValidationError("--tool names a hotend; leave it out for the \(heater)") }
    }

    func run() throws {
        var request = CalibrationRequest(kind: .pid)
        request.heater = heater
        request.tool = tool
        request.temperatureCelsius = temp
        request.cycles = cycles
        request.fanPercent = fan
        request.apply = apply || save
        request.save = save
        request.choice = choose == "median" ? "median_period_cycle" : "firmware_final"
        _ = try options.run(request, presenter: PIDPresenter())
    }
}

struct PIDPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {
        guard let report = decode(progress, as: PIDTuningSession.Progress.self) else { return }
        switch report.stage {
        case .cycle:
            guard let cycle = report.cycle else { return }
            var line = "  cycle \(cycle.number): \(format(cycle.minimumCelsius))-\(format(cycle.maximumCelsius)) °C"
            if let period = cycle.ultimatePeriodSeconds { line += ", period \(format(period)) s" }
            if let constants = cycle.constants { line += ", Kp \(format(constants.kp)) Ki \(format(constants.ki)) Kd \(format(constants.kd))" }
            writeStandardOutput(line + "\n")
        case .temperature:
            break
        case .unreadableLine:
            writeStandardOutput("  ! \(report.message ?? "a damaged line")\n")
        case .tuning where report.message != nil:
            writeStandardOutput("  \(report.message ?? "")\n")
        default:
            break
        }
    }

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let outcome = decode(result, as: PIDTuningSession.Outcome.self) else { return }
        let constants = outcome.firmwareConstants
        writeStandardOutput("\(outcome.heater) at \(format(outcome.targetCelsius)) °C: Kp \(format(constants.kp)) Ki \(format(constants.ki)) Kd \(format(constants.kd)) (Marlin's last cycle)\n")
        if let statistics = outcome.statistics {
            func spread(_ name: String, _ value: PIDCycleStatistics.Spread) -> String {
                "\(name) \(format(value.minimum))-\(format(value.maximum))" + (value.percentOfMedian.map { " (\(format($0)) %)" } ?? "")
            }
            writeStandardOutput("spread over \(statistics.cycleCount) cycles: \(spread("Kp", statistics.kp)), \(spread("Ki", statistics.ki)), \(spread("Kd", statistics.kd))\n")
            let median = statistics.medianPeriodCycle.constants
            if let median { writeStandardOutput("median-period cycle \(statistics.medianPeriodCycle.number): Kp \(format(median.kp)) Ki \(format(median.ki)) Kd \(format(median.kd))\n") }
        }
        if let applied = outcome.applied {
            writeStandardOutput("applied \(applied.command(for: outcome.heater)) (\(outcome.persistence.words))\n")
        } else {
            writeStandardOutput("not applied: run again with --apply (or --save), or put them in Configuration.h\n")
        }
        footer(event, before: outcome.settingsBefore, after: outcome.settingsAfter)
    }
}

extension Persistence {
    var words: String {
        switch self {
        case .notRequested: "in the printer's memory until it resets; --save stores it"
        case .verified: "saved to the EEPROM and read back"
        case .storedUnverified: "M500 sent; the firmware did not say it has an EEPROM, so the save could not be proven"
        }
    }
}

func format(_ value: Double) -> String {
    let text = String(format: "%.3f", value)
    var trimmed = Substring(text)
    while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
    if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
    return trimmed == "-0" ? "0" : String(trimmed)
}
