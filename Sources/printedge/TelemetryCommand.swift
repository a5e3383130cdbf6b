import ArgumentParser
import PrintEdgeControl

struct TelemetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry", abstract: "Recorded telemetry.", subcommands: [Tail.self])

    struct Tail: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow samples as they are recorded (Ctrl-C ends).")
        @OptionGroup var control: ControlOptions
        @Option(help: ArgumentHelp("Only this printer.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
        var printer: String?
        @Flag(help: "One JSON document per sample and line: {schema, printer, at, channel, value, target}.") var json = false

        func run() throws {
            try control.call(ControlRequest(id: 0, command: "telemetry.tail", printer: printer)) { reply in
                for point in reply.samples ?? [] {
                    if json {
                        try? printJSONLine(point)
                    } else {
                        say("\(ControlTime.text(ms: point.atMS))  \(point.printer)  \(point.channel)  \(point.value)" + (point.target.map { " / \($0)" } ?? ""))
                    }
                }
            }
        }
    }
}
