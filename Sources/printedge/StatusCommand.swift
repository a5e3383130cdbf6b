import ArgumentParser
import Foundation
import PrintEdgeControl

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show each printer: state, temperatures, job and progress.")

    @OptionGroup var control: ControlOptions
    @Argument(help: "Only this printer.") var printer: String?
    @Flag(help: "One JSON object (stable keys) for scripts.") var json = false

    func run() throws {
        try reportingDaemonErrors {
            let reply = try control.call(ControlRequest(id: 0, command: "status", printer: printer))
            let printers = reply.printers ?? []
            if json { return try printJSON(printers) }
            if let storage = reply.storage, !storage.isRecording {
                print("storage: \(storage.message ?? storage.condition)")
            }
            for status in printers {
                var line = "\(status.id)  \(status.state)"
                if let firmware = status.firmware { line += "  \(firmware)" }
                let temperatures = status.temperatures.map { reading in
                    "\(reading.heater) \(String(format: "%.1f", reading.actualCelsius))" + (reading.targetCelsius.map { String(format: "/%.0f", $0) } ?? "") + "°C"
                }
                if !temperatures.isEmpty { line += "  " + temperatures.joined(separator: "  ") }
                print(line)
                if let error = status.error { print("  last error: \(error)") }
                if let job = status.job { print("  job " + job.line) }
            }
        }
    }
}
