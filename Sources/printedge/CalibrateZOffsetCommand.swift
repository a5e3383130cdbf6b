import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateZOffsetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoffset",
        abstract: "Set the probe's Z offset by a paper test: babystepping with the arrow keys, or TESTZ-style bisection.",
        discussion: """
            Reads the probe offset (M851), homes, lifts the nozzle to --start-height over the test point (the profile's, or the bed's centre) and lets you bring it down until a sheet of paper drags. Then the new offset is set (M851 Z) and with --save stored (M500) and read back.

            babystep (default): on a terminal ↑ and ↓ move the nozzle by the step shown (M290 Z, each at most ±2 mm as Marlin clamps it), ← and → change the step (0.01, 0.05, 0.1, 1 mm), Enter takes the height, q stops; from a script, each line is a step in mm (-0.05) or `accept`.
            paper: Klipper's TESTZ, with the heights tried shown as `lo --> cur <-- hi`: `-0.1` moves by that much, `-`/`+` halfway to the nearest height tried below/above, `--`/`++` all the way to it, `accept` takes the height.

            The nozzle is never taken more than --below-zero mm below where the present offset puts the bed. Nothing is heated: do it with the nozzle and bed at room temperature. Firmware without EEPROM_SETTINGS cannot keep the offset: --save is refused there.

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(help: "babystep or paper.") var mode = "babystep"
    @Option(help: ArgumentHelp("The test point, mm (default: the profile's zoffset_x_mm, or the bed's centre).", valueName: "mm")) var x: Double?
    @Option(help: ArgumentHelp("The test point, mm.", valueName: "mm")) var y: Double?
    @Option(name: .customLong("start-height"), help: ArgumentHelp("Where the nozzle starts above the bed, mm.", valueName: "mm")) var startHeight = 5.0
    @Option(name: .customLong("below-zero"), help: ArgumentHelp("How far below where the present offset puts the bed the nozzle may go, mm.", valueName: "mm")) var belowZero = 2.0
    @Flag(help: "Store the offset (M500) and prove it by reloading.") var save = false

    func validate() throws {
        guard ["babystep", "paper"].contains(mode) else { throw ValidationError("--mode must be babystep or paper, not \(mode)") }
        if (x == nil) != (y == nil) { throw ValidationError("give both --x and --y, or neither") }
    }

    func run() throws {
        var request = CalibrationRequest(kind: .zOffset)
        request.mode = mode == "paper" ? "paper_test" : "babystep"
        request.xMM = x
        request.yMM = y
        request.startHeightMM = startHeight
        request.belowZeroMM = belowZero
        request.save = save
        _ = try options.run(request, presenter: ZOffsetPresenter())
    }
}

struct ZOffsetPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {}

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let outcome = decode(result, as: ZOffsetSession.Outcome.self) else { return }
        writeStandardOutput("probe Z offset \(String(format: "%.3f", outcome.previousOffsetMM)) → \(String(format: "%.3f", outcome.newOffsetMM)) mm (M851 Z\(String(format: "%.3f", outcome.newOffsetMM))); the paper dragged \(String(format: "%+.3f", outcome.touchHeightMM)) mm from where the old offset put the bed\n")
        writeStandardOutput("\(outcome.persistence.words)\n")
        footer(event, before: outcome.settingsBefore, after: outcome.settingsAfter)
    }
}
