import ArgumentParser
import PrintEdgeControl

struct EstopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estop", abstract: "EMERGENCY STOP: M112 ahead of everything queued; the printer halts.",
        discussion: """
            Heaters and motors go off at once (Marlin's kill()); a running job is aborted. The \
            printer then shows as `halted` and stays so until `printedge reset`.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?

    func run() throws {
        let target = try control.printer(printer)
        try control.call(ControlRequest(id: 0, command: "estop", printer: target))
        if !control.quiet { say("\(target): emergency stop sent (M112); `printedge reset --printer \(target)` once it is safe") }
    }
}
