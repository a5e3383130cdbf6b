import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Compute a new flow setting from a single-wall test print's measured wall.",
        discussion: """
            Print a single-wall box with your slicer, measure one wall away from the seam with calipers, and give the width the slicer used and the one measured. Nothing is sent to the printer: the result belongs in the slicer's filament profile, where it is named for each slicer. The run is kept like any calibration.

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(name: .customLong("expected-wall"), help: ArgumentHelp("The extrusion width the slicer used, mm.", valueName: "mm")) var expectedWall: Double
    @Option(name: .customLong("measured-wall"), help: ArgumentHelp("The wall as measured, mm.", valueName: "mm")) var measuredWall: Double
    @Option(help: ArgumentHelp("The flow the test was printed with, percent.", valueName: "percent")) var current = 100.0

    func run() throws {
        var request = CalibrationRequest(kind: .flow)
        request.expectedWallMM = expectedWall
        request.measuredWallMM = measuredWall
        request.currentPercent = current
        _ = try options.run(request, presenter: FlowPresenter())
    }
}

struct FlowPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {}

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let flow = decode(result, as: FlowCalibration.self) else { return }
        writeStandardOutput("flow \(format(flow.currentPercent)) % → \(format(flow.newPercent)) % (multiplier \(String(format: "%.3f", flow.newMultiplier))): the wall came out \(format(flow.measuredWallMM)) mm for \(format(flow.expectedWallMM)) mm\n")
        for setting in flow.slicerSettings { writeStandardOutput("  \(setting)\n") }
        footer(event, before: nil, after: nil)
    }
}
