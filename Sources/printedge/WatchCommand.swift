#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

/// `printedge watch`: every printer and its job, live, until Ctrl-C.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch every printer live: state, temperatures and its job's progress, phase and ETA (Ctrl-C ends).",
        discussion: """
            On a terminal the view is redrawn in place every second; piped, a printer's line is \
            written (and flushed) whenever its state, its job's phase, layer or whole percent \
            changes, and at least once a minute.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("Only this printer.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Option(help: "Seconds between two looks at the daemon.") var interval = 1.0
    @Flag(help: "One JSON document per line and change: {schema, printer} (docs/control.md).") var json = false

    func validate() throws {
        guard interval >= 0.1, interval.isFinite else { throw ValidationError("--interval must be at least 0.1 seconds") }
    }

    func run() throws {
        let terminal = TerminalStyle.isTerminal(STDOUT_FILENO) && !json
        var screen = LiveScreen()
        var throttle = LineThrottle()
        while true {
            let printers = try control.call(ControlRequest(id: 0, command: "status", printer: printer)).printers ?? []
            let now = FleetLinkLine.nowMS()
            if terminal {
                let width = TerminalStyle.columns
                var lines: [String] = []
                for status in printers {
                    if !lines.isEmpty { lines.append("") }
                    lines.append(String(Self.printerLine(status, nowMS: now).prefix(width)))
                    if let job = status.job {
                        lines += JobView(job: job, nowMS: now).screen(width: width - 2).map { "  " + $0 }
                    }
                }
                screen.draw(lines)
            } else {
                for status in printers {
                    let view = status.job.map {
                        JobView(job: $0, temperatures: status.temperatures, temperaturesStale: status.temperaturesStale, nowMS: now)
                    }
                    let key = status.state + " " + (view.map(JobsFollowCommand.key) ?? "")
                    guard throttle.shouldWrite(status.id, key: key, nowMS: now) else { continue }
                    if json {
                        try printJSONLine(["printer": status])
                    } else {
                        say(view.map { "\($0.plainLine)" } ?? "\(JobView.clockTime(ms: now, seconds: true))  \(Self.printerLine(status, nowMS: now))")
                    }
                }
            }
            pause(seconds: interval)
        }
    }

    /// "sim  printing  T0 210.0/210°C  B 60.0/60°C"; "… (stale, 2 min ago)" once the link is down.
    static func printerLine(_ status: PrinterStatus, nowMS: Int64) -> String {
        let view = PrinterView(status: status, nowMS: nowMS)
        return ([status.id, status.state, view.temperatures, (view.halt ?? status.error).map { "(\($0))" }].compactMap { $0 })
            .joined(separator: "  ")
    }
}
