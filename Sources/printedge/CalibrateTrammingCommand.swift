import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateTrammingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tramming",
        abstract: "Level the bed with its screws: measure at each, say how far to turn which way, repeat until within tolerance.",
        discussion: """
            Homes and probes the bed at each screw of the profile ([[calibration.screw]], G30), and tells how to turn each against the reference screw in words and figures ("turn the front left screw clockwise a quarter turn: 0.25 turn"), for the profile's screw_thread; answer yes once turned to measure again, no to stop. Repeats until every screw is within the tolerance (a tenth of a turn by default) or --rounds run out. With --method assisted the firmware's own G35 (ASSISTED_TRAMMING) measures at its compiled-in points; auto tries G35 and falls back to G30. A bed whose screws were turned makes the Z offset and the mesh stale: calibrate them again.

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(help: ArgumentHelp("When a screw counts as level, mm (default: the profile's, or a tenth of a turn).", valueName: "mm")) var tolerance: Double?
    @Option(help: "Rounds of measuring before giving up.") var rounds = 5
    @Option(help: "The screw the others are set to: first, highest, lowest, or a screw's name.") var reference = "first"
    @Option(help: "probe (G30 at the profile's screws), assisted (G35) or auto (default: probe when the profile lists screws).") var method: String?

    func validate() throws {
        if let method, !["probe", "assisted", "auto"].contains(method) { throw ValidationError("--method must be probe, assisted or auto, not \(method)") }
    }

    func run() throws {
        var request = CalibrationRequest(kind: .tramming)
        request.toleranceMM = tolerance
        request.rounds = rounds
        request.reference = reference
        request.method = method.map { $0 == "auto" ? "automatic" : $0 }
        _ = try options.run(request, presenter: TrammingPresenter())
    }
}

struct TrammingPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {
        guard let report = decode(progress, as: TrammingSession.Progress.self), let round = report.result else { return }
        writeStandardOutput("round \(report.round): the screws differ by up to \(String(format: "%.3f", round.largestDifferenceMM)) mm (tolerance \(String(format: "%.3f", round.toleranceMM)) mm)\n")
        for adjustment in round.adjustments {
            let height = adjustment.probedZMM.map { String(format: "Z %+.3f", $0) } ?? ""
            writeStandardOutput("  \(adjustment.screwName): \(height) \(adjustment.isReference ? "(reference)" : String(format: "%+.3f mm", adjustment.differenceMM))"
                     + (adjustment.needsTurning ? " -> \(adjustment.instruction)" : "") + "\n")
        }
    }

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let outcome = decode(result, as: TrammingSession.Outcome.self) else { return }
        writeStandardOutput(outcome.isWithinTolerance
                 ? "the bed is level within \(String(format: "%.3f", outcome.rounds.last?.toleranceMM ?? 0)) mm after \(outcome.rounds.count) round\(outcome.rounds.count == 1 ? "" : "s")\n"
                 : "stopped after \(outcome.rounds.count) round\(outcome.rounds.count == 1 ? "" : "s"), not yet level\n")
        for note in outcome.notes { writeStandardOutput("note: \(note)\n") }
        footer(event, before: nil, after: nil)
    }
}
