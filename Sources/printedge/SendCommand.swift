import ArgumentParser
import PrintEdgeControl

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send G-code to a printer and show its replies until every line was handled.",
        discussion: """
            Each argument is one line: printedge send G28 "G1 Z10 F600" M503. Exit status 65 when \
            the firmware did not know a command (`echo:Unknown command`) or answered `Error:`; the \
            other lines were still sent.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Argument(help: "G-code lines.") var lines: [String] = []

    func validate() throws {
        if lines.isEmpty { throw ValidationError("give at least one G-code line, e.g. `printedge send M105`") }
    }

    func run() throws {
        let target = try control.printer(printer)
        var refusals: [String] = []
        var replies = ReplyLine.RingOfReplies()
        try control.call(ControlRequest(id: 0, command: "send", printer: target, lines: lines)) { reply in
            guard let event = reply.event, event.kind != "state", !ReplyLine.repeats(event, recentReplies: replies) else { return }
            if event.kind == "reply" { replies.append(event.text) }
            if ReplyLine.isRefusal(event.text) { refusals.append(event.text) }
            if !control.quiet || ReplyLine.isRefusal(event.text) { say(event.text) }
        }
        if let first = refusals.first {
            throw CLIFailure(.dataError, "the printer refused \(refusals.count == 1 ? "a line" : "\(refusals.count) lines"): \(first)")
        }
    }
}
