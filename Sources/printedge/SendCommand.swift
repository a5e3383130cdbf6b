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
            printer is an error.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: "The printer (default: the daemon's only printer).") var printer: String?
    @Flag(help: "Send lines that are not allowed under a running job anyway (at the print's risk).") var force = false
    @Argument(help: "G-code lines.") var lines: [String]

    func validate() throws {
        if lines.isEmpty { throw ValidationError("give at least one G-code line, e.g. `printedge send M105`") }
    }

    func run() throws {
        try reportingDaemonErrors {
            let target = try printer ?? onlyPrinter(control)
            try control.call(ControlRequest(id: 0, command: "send", printer: target, lines: lines, force: force)) { reply in
                if let event = reply.event, event.kind != "state" { print(event.text) }
            }
        }
    }
}

struct TelemetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry", abstract: "Recorded telemetry.", subcommands: [Tail.self])

    struct Tail: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow samples as they are recorded (Ctrl-C ends).")
        @OptionGroup var control: ControlOptions
        @Option(help: "Only this printer.") var printer: String?
        @Flag(help: "One JSON object per sample.") var json = false

        func run() throws {
            try reportingDaemonErrors {
                try control.call(ControlRequest(id: 0, command: "telemetry.tail", printer: printer)) { reply in
                    for point in reply.samples ?? [] {
                        if json {
                            try? printCompactJSON(point)
                        } else {
                            print("\(point.atMS)  \(point.printer)  \(point.channel)  \(point.value)" + (point.target.map { " / \($0)" } ?? ""))
                        }
                    }
                }
            }
        }
    }
}
