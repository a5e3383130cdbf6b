import ArgumentParser
import Foundation
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateSettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Back up, show, compare and restore the firmware's settings (M503 S0).",
        discussion: """
            backup reads the settings as the firmware reports them for replay (M503 S0) and keeps them in the daemon's store; show prints a snapshot (the printer's latest by default) as G-code; diff compares two snapshots, or the latest of two printers; restore replays a snapshot (settings commands only, the mesh before M420), reads the settings back to prove each value took, and with --save stores them (M500). Every calibration also keeps the settings before and after it changed them.

            \(CalibrationExit.help)
            """,
        subcommands: [Backup.self, Show.self, Diff.self, Restore.self])

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep the printer's settings (M503 S0) in the store.", discussion: CalibrationExit.help)

        @OptionGroup var options: CalibrationOptions

        func run() throws {
            _ = try options.run(CalibrationRequest(kind: .settingsBackup), presenter: SettingsPresenter())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a snapshot as G-code (default: the printer's latest).", discussion: CalibrationExit.help)

        @OptionGroup var options: CalibrationOptions
        @Argument(help: "The snapshot's calibration record.") var id: Int64?

        func run() throws {
            let (entry, settings) = try StoredSettings(control: options.control).snapshot(id: id, printer: options.printer)
            if options.json { return try printJSONLine(entry) }
            writeStandardOutput("; snapshot #\(entry.id) of \(entry.printer), \(ControlTime.text(ms: entry.atMS))\n" + settings.replayText)
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What changed from one snapshot to another, or between the latest snapshots of two printers.",
            discussion: "printedge calibrate settings diff 12 15 compares two snapshots; diff 12 compares snapshot 12 with the printer's latest; diff --printer a --with b compares the latest of each printer (of the same profile: another machine's settings differ by nature).\n\n" + CalibrationExit.help)

        @OptionGroup var options: CalibrationOptions
        @Option(help: "Compare with this printer's latest snapshot.") var with: String?
        @Argument(help: "The older snapshot's record, then the newer one's.") var ids: [Int64] = []

        func validate() throws {
            if ids.count > 2 { throw ValidationError("give at most two snapshot ids") }
            if with != nil, !ids.isEmpty { throw ValidationError("compare either snapshots by id or the latest of two printers with --with, not both") }
            if with == nil, ids.isEmpty { throw ValidationError("name a snapshot id (or two), or another printer with --with") }
        }

        func run() throws {
            let stored = StoredSettings(control: options.control)
            let older: (CalibrationEntry, FirmwareSettings)
            let newer: (CalibrationEntry, FirmwareSettings)
            if let with {
                older = try stored.snapshot(id: nil, printer: options.printer)
                newer = try stored.snapshot(id: nil, printer: with)
            } else {
                older = try stored.snapshot(id: ids[0], printer: nil)
                newer = try stored.snapshot(id: ids.count > 1 ? ids[1] : nil, printer: ids.count > 1 ? nil : (options.printer ?? older.0.printer))
            }
            let differences = older.1.differences(to: newer.1)
            if options.json { return try printJSONLine(DiffJSON(older: older.0.id, newer: newer.0.id, differences: differences)) }
            writeStandardOutput("from #\(older.0.id) (\(older.0.printer), \(ControlTime.text(ms: older.0.atMS))) to #\(newer.0.id) (\(newer.0.printer), \(ControlTime.text(ms: newer.0.atMS))):\n")
            writeStandardOutput(differences.isEmpty ? "no difference\n" : differences.map { "  \($0.description)\n" }.joined())
        }

        private struct DiffJSON: Encodable {
            var older: Int64
            var newer: Int64
            var differences: [SettingsDifference]
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a stored snapshot on the printer, after showing what it changes and asking.",
            discussion: "Shows the difference between the printer's latest snapshot and the one to restore and asks for a yes (--yes skips the question), then replays it, reads it back and with --save stores it. A snapshot of a printer of another profile is refused unless --force.\n\n" + CalibrationExit.help)

        @OptionGroup var options: CalibrationOptions
        @Argument(help: "The snapshot's calibration record.") var id: Int64
        @Flag(help: "Store the restored settings (M500) and prove it by reloading.") var save = false
        @Flag(help: "Do not ask.") var yes = false
        @Flag(help: "Restore a snapshot of a printer of another profile.") var force = false

        func run() throws {
            let stored = StoredSettings(control: options.control)
            let (entry, settings) = try stored.snapshot(id: id, printer: nil)
            let target = options.printer ?? entry.printer
            if !yes {
                if let current = try? stored.snapshot(id: nil, printer: target) {
                    let changes = current.1.differences(to: settings)
                    writeStandardOutput("restoring #\(entry.id) on \(target) changes, against its latest snapshot #\(current.0.id):\n"
                             + (changes.isEmpty ? "  nothing\n" : changes.map { "  \($0.description)\n" }.joined()))
                } else {
                    writeStandardOutput("\(target) has no snapshot to compare with; #\(entry.id) holds \(settings.commands.count) settings\n")
                }
                writeStandardOutput("restore #\(entry.id) on \(target)\(save ? " and save it" : "")? [yes/no] ")
                let answer = readLine()?.trimmingSpaces.lowercased()
                guard answer == "yes" || answer == "y" else {
                    writeStandardOutput("nothing was changed\n")
                    throw ExitCode(answer == nil ? ExitStatus.noInput.rawValue : 1)
                }
            }
            var request = CalibrationRequest(kind: .settingsRestore)
            request.snapshotRecord = entry.id
            request.save = save
            var options = options
            options.printer = target
            _ = try options.run(request, presenter: SettingsPresenter(), force: force)
        }
    }
}

struct SettingsPresenter: CalibrationPresenter {
    func progress(_ progress: JSONValue, kind: CalibrationKind) {}

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        if let backup = decode(result, as: SettingsBackupSession.Outcome.self), event.kind == .settingsBackup {
            writeStandardOutput("\(backup.settings.commands.count) settings kept as snapshot #\(event.record ?? 0) (printedge calibrate settings show \(event.record ?? 0))\n")
            return
        }
        guard let restore = decode(result, as: SettingsRestoreSession.Outcome.self) else { return }
        writeStandardOutput(restore.changes.isEmpty ? "restored: nothing differed\n" : "restored:\n" + restore.changes.map { "  \($0.description)\n" }.joined())
        writeStandardOutput("\(restore.persistence.words)\n")
        footer(event, before: nil, after: nil)
    }
}

/// Snapshots from the store: by record id, or a printer's latest.
struct StoredSettings {
    let control: ControlOptions

    func snapshot(id: Int64?, printer: String?) throws -> (CalibrationEntry, FirmwareSettings) {
        var recordID = id
        if recordID == nil {
            let target = try control.printer(printer)
            let list = try control.call(ControlRequest(id: 0, command: "calibrations.list", printer: target, limit: 20,
                                                                   kinds: [CalibrationKind.settingsBackup.rawValue]))
            guard let latest = list.calibrations?.first(where: { $0.outcome == "completed" }) else {
                standardError("printedge: printer \(target) has no settings snapshot yet: printedge calibrate settings backup --printer \(target)")
                throw ExitCode(ExitStatus.dataError.rawValue)
            }
            recordID = latest.id
        }
        let reply = try control.call(ControlRequest(id: 0, command: "calibrations.get", record: recordID))
        guard let entry = reply.calibrations?.first, entry.kind == CalibrationKind.settingsBackup.rawValue, entry.outcome == "completed",
              let data = entry.data, let backup = try? JSONDecoder().decode(SettingsBackupSession.Outcome.self, from: Data(data.encoded)) else {
            standardError("printedge: calibration record \(recordID ?? 0) is not a settings snapshot (printedge calibrate history --kind settings_backup lists them)")
            throw ExitCode(ExitStatus.dataError.rawValue)
        }
        return (entry, backup.settings)
    }
}
