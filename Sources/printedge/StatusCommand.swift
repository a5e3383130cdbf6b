import ArgumentParser
import Foundation
import PrintEdgeControl

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show each printer: state, temperatures, job and progress.")

    @OptionGroup var control: ControlOptions
    @Argument(help: "Only this printer.") var printer: String?
    @Flag(help: "One JSON object for scripts: {printers, storage, fleet} (stable keys).") var json = false

    func run() throws {
        try reportingDaemonErrors {
            let reply = try control.call(ControlRequest(id: 0, command: "status", printer: printer))
            let printers = reply.printers ?? []
            if json { return try printJSON(StatusJSON(printers: printers, storage: reply.storage, fleet: reply.fleet)) }
            if let storage = reply.storage, !storage.isRecording {
                print("storage: \(storage.message ?? storage.condition)")
            }
            if let fleet = reply.fleet { print(FleetLinkLine.link(fleet)) }
            for status in printers {
                var line = "\(status.id)  \(status.state)"
                if let firmware = status.firmware { line += "  \(firmware)" }
                let temperatures = status.temperatures.map { reading in
                    "\(reading.heater) \(String(format: "%.1f", reading.actualCelsius))" + (reading.targetCelsius.map { String(format: "/%.0f", $0) } ?? "") + "°C"
                }
                if !temperatures.isEmpty { line += "  " + temperatures.joined(separator: "  ") }
                print(line)
                if let device = status.device { print("  usb: \(device.summary)") }
                if let error = status.error { print("  last error: \(error)") }
                if let commands = status.fleetCommands, commands.received > 0 || commands.chunksReceived > 0 {
                    let refused = commands.refused.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                    print("  fleet commands: \(commands.received) received, \(commands.accepted) accepted, \(commands.refusedTotal) refused"
                          + (refused.isEmpty ? "" : " (\(refused))"))
                }
                // Messages in flight on a healthy link are not worth a line; a backlog is.
                let now = FleetLinkLine.nowMS()
                if let outbox = status.fleetOutbox,
                   outbox.refused > 0 || (outbox.oldestWaitingAtMS.map { now - $0 >= 10_000 } ?? false) {
                    print("  fleet outbox: " + FleetLinkLine.outbox(outbox, at: now))
                }
                if let job = status.job { print("  job " + job.line) }
                if let calibrating = status.calibrating {
                    print("  calibrating: \(calibrating.kind.title)" + (calibrating.waitingForAnswer ? ", waiting for an answer" : calibrating.step.map { ", \($0)" } ?? ""))
                }
                if let standings = status.calibrations, !standings.isEmpty {
                    // Klipper's rule: tramming makes the Z offset stale, a Z offset the mesh.
                    print("  calibrations: " + standings.map { standing in
                        "\(standing.kind) #\(standing.record)" + (standing.stale ? " STALE (since \(standing.staleSinceKind ?? "?") #\(standing.staleSinceRecord ?? 0))" : "")
                    }.joined(separator: ", "))
                }
            }
        }
    }

    private struct StatusJSON: Encodable {
        var printers: [PrinterStatus]
        var storage: StorageStatus?
        var fleet: FleetLinkStatus?
    }
}
