import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateExtruderStepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "esteps",
        abstract: "Measure the extruder's steps per mm: mark the filament, extrude slowly, measure what is left.",
        discussion: """
            Reads the present steps per mm (M503), heats the hotend, asks you to mark the filament --mark mm above where it enters the extruder, extrudes --length mm at 1 mm/s (M83, G1 E), turns the hotend off, asks how far the mark is from the extruder now, and applies the corrected steps per mm (M92 E); --save stores them. A change over 20 % is confirmed first. Answers are typed (a length in mm, yes/no).

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(help: ArgumentHelp("The filament's printing temperature, °C.", valueName: "celsius")) var temp: Double
    @Option(help: ArgumentHelp("How much to extrude, mm.", valueName: "mm")) var length = 100.0
    @Option(help: ArgumentHelp("Where to mark the filament, mm above the extruder's inlet (default: length + 20).", valueName: "mm")) var mark: Double?
    @Option(help: ArgumentHelp("Extrusion speed, mm/min.", valueName: "mm/min")) var feedrate = 60.0
    @Option(help: "The extruder's number.") var tool = 0
    @Flag(help: "Store the new steps per mm (M500) and prove it by reloading.") var save = false

    func run() throws {
        var request = CalibrationRequest(kind: .esteps)
        request.temperatureCelsius = temp
        request.lengthMM = length
        request.markMM = mark
        request.feedrateMMPerMinute = feedrate
        request.tool = tool
        request.save = save
        _ = try options.run(request, presenter: ExtruderStepsPresenter())
    }
}

struct ExtruderStepsPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {
        guard let report = decode(progress, as: ExtruderStepsSession.Progress.self), let message = report.message else { return }
        writeStandardOutput("  \(message)\n")
    }

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let outcome = decode(result, as: ExtruderStepsSession.Outcome.self) else { return }
        let calculation = outcome.calculation
        writeStandardOutput("extruder \(outcome.tool): \(format(calculation.previousStepsPerMM)) → \(format(calculation.newStepsPerMM)) steps/mm (\(calculation.changePercent >= 0 ? "+" : "")\(format(calculation.changePercent)) %); it pushed \(format(calculation.extrudedMM)) mm of \(format(calculation.requestedMM)) mm\n")
        writeStandardOutput("\(outcome.persistence.words)\n")
        footer(event, before: outcome.settingsBefore, after: outcome.settingsAfter)
    }
}
