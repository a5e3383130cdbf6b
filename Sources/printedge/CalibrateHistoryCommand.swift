import ArgumentParser
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the calibration runs kept in the store, newest first.",
        discussion: "Each run has a record id: `settings show ID`, `settings restore ID` and `mesh --compare ID` take it.\n\n" + CalibrationExit.help)

    @OptionGroup var control: ControlOptions
    @Option(help: "Only this printer's runs.") var printer: String?
    @Option(help: "Only runs of this kind (pid_hotend, pid_bed, extruder_steps, flow, probe_accuracy, z_offset, bed_mesh, tramming, settings_backup, settings_restore); may be repeated.") var kind: [String] = []
    @Option(help: "At most this many.") var limit = 50
    @Flag(help: "One JSON object per run (snake_case keys), one a line.") var json = false

    func validate() throws {
        for name in kind where CalibrationKind(rawValue: name) == nil {
            throw ValidationError("--kind \(name) is not one of \(CalibrationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let reply = try control.call(ControlRequest(id: 0, command: "calibrations.list", printer: printer, limit: limit, kinds: kind.isEmpty ? nil : kind))
        for entry in reply.calibrations ?? [] {
            if json {
                try printJSONLine(entry)
            } else {
                let stale = entry.invalidates.isEmpty ? "" : "  made stale: \(entry.invalidates.joined(separator: ", "))"
                writeStandardOutput("#\(entry.id)  \(ControlTime.text(ms: entry.atMS))  \(entry.printer)  \(entry.kind)  \(entry.outcome)\(stale)\n")
            }
        }
    }
}
