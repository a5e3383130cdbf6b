import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateProbeAccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-accuracy",
        abstract: "Test the probe's repeatability with M48, judged as Klipper judges PROBE_ACCURACY.",
        discussion: """
            Homes and probes one spot --samples times (M48 P V2). The probe is repeatable enough to level a bed with when its readings span no more than 0.025 mm. Needs Z_MIN_PROBE_REPEATABILITY_TEST in the firmware.

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(help: "Probe touches, 4-50.") var samples = 10
    @Option(help: ArgumentHelp("Where to probe, mm (default: where the probe is after homing).", valueName: "mm")) var x: Double?
    @Option(help: ArgumentHelp("Where to probe, mm.", valueName: "mm")) var y: Double?

    func validate() throws {
        if (x == nil) != (y == nil) { throw ValidationError("give both --x and --y, or neither") }
    }

    func run() throws {
        var request = CalibrationRequest(kind: .probeAccuracy)
        request.samples = samples
        request.xMM = x
        request.yMM = y
        _ = try options.run(request, presenter: ProbeAccuracyPresenter())
    }
}

struct ProbeAccuracyPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {
        guard let sample = decode(progress, as: ProbeAccuracySession.Progress.self) else { return }
        writeStandardOutput("  sample \(sample.number)/\(sample.count): Z \(String(format: "%.4f", sample.zMM))\n")
    }

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let outcome = decode(result, as: ProbeAccuracySession.Outcome.self) else { return }
        let repeatability = outcome.repeatability
        writeStandardOutput("mean \(String(format: "%.4f", repeatability.meanMM)) mm, range \(String(format: "%.4f", repeatability.rangeMM)) mm, standard deviation \(String(format: "%.4f", repeatability.standardDeviationMM)) mm\n")
        writeStandardOutput("\(outcome.verdict.explanation)\n")
        footer(event, before: nil, after: nil)
    }
}
