import ArgumentParser
import PrintEdgeControl

struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Restart a printer's firmware and connect again: the way back from a halt.",
        discussion: """
            After an emergency stop (`printedge estop`, the console's Ctrl-X, the fleet, the GPIO \
            button) or a firmware halt (kill(), a thermal runaway) the printer is `halted` and the \
            daemon leaves it alone. Deal with the cause, then reset: the port is opened again with \
            DTR dropped, which resets Marlin boards (Arduino auto-reset), or a virtual printer's \
            simulator is reset (started again if it died). Returns once the printer answers; it \
            has lost its position (home before moving). Refused while a job prints or is paused \
            unless --force, which ends the job as aborted.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "Reset even under a printing or paused job (it is aborted).") var force = false
    @Flag(help: "JSON for scripts: {schema, printers: [PrinterStatus]} (docs/control.md).") var json = false

    func run() throws {
        let target = try control.printer(printer)
        let reply = try control.call(ControlRequest(id: 0, command: "reset", printer: target, force: force))
        let printers = reply.printers ?? []
        if json { return try printJSON(["printers": printers]) }
        guard !control.quiet, let status = printers.first else { return }
        say("\(status.id)  \(status.state)" + (status.firmware.map { "  \($0)" } ?? "") + "  (reset: home before moving)")
    }
}
