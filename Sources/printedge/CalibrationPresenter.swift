#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PrintEdgeCalibration
import PrintEdgeControl

/// How a calibration's events read on a terminal; each kind shows its own progress and
/// result, and shares the rest (steps, questions, failures). `--json` bypasses it.
protocol CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind)
    func finished(_ result: JSONValue, event: CalibrationEvent)
}

extension CalibrationPresenter {
    func started(_ event: CalibrationEvent) {
        writeStandardOutput("\(event.kind.title) calibration on \(event.printer)\n")
    }

    func step(_ text: String) {
        writeStandardOutput("... \(text)\n")
    }

    func progress(_ progress: JSONValue, kind: CalibrationKind) {
        if let message = progress["message"], case .string(let text) = message { writeStandardOutput("  \(text)\n") }
    }

    func ask(_ question: OperatorQuestion, babystep: BabystepKeys) {
        var lines: [String] = []
        if let problem = question.problem { lines.append("! \(problem)") }
        lines += question.details.map { "  - \($0)" }
        if let position = question.position { lines.append("  \(position)") }
        lines.append("? \(question.prompt)")
        let terminal = isatty(0) == 1
        switch question.kind {
        case .confirm: lines.append(terminal ? "  [yes/no] " : "  answer yes or no")
        case .length: lines.append("  mm: ")
        case .babystep:
            lines.append(terminal
                ? "  ↑ up / ↓ down by \(String(format: "%.2f", babystep.step)) mm (← → step size), Enter when the paper drags, q to stop"
                : "  answer a step in mm (negative: down) or accept")
        case .testZ: lines.append("  TESTZ (+ - ++ -- or a distance such as -0.1), or accept: ")
        }
        // On a terminal the cursor waits after the prompt; piped, every line ends.
        writeStandardOutput(lines.joined(separator: "\n") + (terminal && lines.last?.hasSuffix(" ") == true ? "" : "\n"))
    }

    func failed(_ event: CalibrationEvent) {
        guard let failure = event.failure else { return }
        let stop = failure.safeStop.emergencyLines + failure.safeStop.lines
        if !stop.isEmpty { writeStandardOutput("stopped safely: sent \(stop.joined(separator: ", "))\n") }
        if let record = event.record { writeStandardOutput("kept as calibration record #\(record) (\(failure.cause.rawValue))\n") }
    }

    func note(_ text: String?) {
        if let text { writeStandardOutput("\(text)\n") }
    }

    func problem(_ text: String) {
        writeStandardOutput("! \(text)\n")
    }

    /// The kind's own types, read back from the event's JSON.
    func decode<T: Decodable>(_ value: JSONValue, as type: T.Type) -> T? {
        try? JSONDecoder().decode(type, from: Data(value.encoded))
    }

    /// What every result ends with: the record, what went stale, the settings that changed.
    func footer(_ event: CalibrationEvent, before: FirmwareSettings?, after: FirmwareSettings?) {
        if let before, let after {
            let changes = before.differences(to: after)
            if !changes.isEmpty { writeStandardOutput("settings changed: " + changes.map(\.description).joined(separator: "; ") + "\n") }
        }
        if let invalidates = event.invalidates, !invalidates.isEmpty {
            writeStandardOutput("now stale: \(invalidates.map(\.title).joined(separator: ", ")) (calibrate them again)\n")
        }
        if let record = event.record { writeStandardOutput("kept as calibration record #\(record)\n") }
    }
}

extension CalibrationKind {
    /// How a person names it.
    var title: String {
        switch self {
        case .pidHotend: "hotend PID"
        case .pidBed: "bed PID"
        case .pidChamber: "chamber PID"
        case .extruderSteps: "extruder steps"
        case .flow: "flow"
        case .probeAccuracy: "probe accuracy"
        case .zOffset: "Z offset"
        case .bedMesh: "bed mesh"
        case .tramming: "tramming"
        case .settingsBackup: "settings backup"
        case .settingsRestore: "settings restore"
        }
    }
}

/// Options every `calibrate` subcommand that runs on a printer takes.
struct CalibrationOptions: ParsableArguments {
    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "JSON lines for scripts: every event as one object (snake_case keys), the last one the result; answers are read from standard input, one a line.") var json = false

    func run(_ request: CalibrationRequest, presenter: some CalibrationPresenter, force: Bool = false) throws -> CalibrationEvent {
        let target = try control.printer(printer)
        return try CalibrationRun(control: control, printer: target, json: json, presenter: presenter).run(request, force: force)
    }
}
