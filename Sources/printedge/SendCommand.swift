import ArgumentParser
import PrintEdgeControl

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send G-code to a printer and show its replies until every line was handled.",
        discussion: """
            Each argument is one line: printedge send G28 "G1 Z10 F600" M503
            While a job prints or is paused, only the lines of [daemon] gcode_allow_while_printing \
            (temperatures, fans, speed and flow factors, babystepping, reports) are sent; anything \
            that could move the printer under the job is refused unless --force, and a forced line \
            is recorded in the job's history. Lines beyond the profile's build volume or \
            temperature limits are always refused. An `Error:` or "Unknown command" from the \
            printer is an error: exit status 65.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "Send lines that are not allowed under a running job anyway (at the print's risk).") var force = false
    @Argument(help: "G-code lines.") var lines: [String] = []

    func validate() throws {
        if lines.isEmpty { throw ValidationError("give at least one G-code line, e.g. `printedge send M105`") }
    }

    func run() throws {
        let target = try control.printer(printer)
        var replies = ReplyLine.RingOfReplies()
        try control.call(ControlRequest(id: 0, command: "send", printer: target, lines: lines, force: force)) { reply in
            guard let event = reply.event, event.kind != "state", !ReplyLine.repeats(event, recentReplies: replies) else { return }
            if event.kind == "reply" { replies.append(event.text) }
            if !control.quiet { say(event.text) }
        }
    }
}
