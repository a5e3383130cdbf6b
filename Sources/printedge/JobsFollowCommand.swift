#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

/// `printedge jobs follow [ID]`: one job, live, until it ends; exits with its outcome.
struct JobsFollowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Follow a job live until it ends: progress, layer, Z, temperatures, phase, elapsed, ETA and finish time.",
        discussion: """
            Without an id: the printer's current job. On a terminal the view is redrawn in place \
            every second; piped, one line is written (and flushed) whenever the phase, the layer \
            or the whole percent changes, and at least once a minute. Exit status: 0 the job \
            completed, 1 it failed or was aborted, 2 it was cancelled, 3 it was interrupted \
            (see `printedge --help` for the rest). Ctrl-C leaves the job printing.
            """)

    @OptionGroup var arguments: JobArguments
    @Option(help: "Seconds between two looks at the daemon.") var interval = 1.0

    func validate() throws {
        guard interval >= 0.1, interval.isFinite else { throw ValidationError("--interval must be at least 0.1 seconds") }
    }

    func run() throws {
        let control = arguments.control
        let id = try arguments.resolve(.current)
        guard let first = try control.call(ControlRequest(id: 0, command: "jobs.list", job: id)).jobs?.first else {
            throw CLIFailure(.noInput, "there is no job \(id)")
        }
        let printer = first.printer
        let terminal = TerminalStyle.isTerminal(STDOUT_FILENO) && !arguments.json
        var screen = LiveScreen()
        var throttle = LineThrottle()
        while true {
            let (job, temperatures, stale) = try look(id: id, printer: printer, control: control)
            let view = JobView(job: job, temperatures: temperatures, temperaturesStale: stale, nowMS: FleetLinkLine.nowMS())
            let outcome = ExitStatus(jobState: job.state)
            if arguments.json {
                if throttle.shouldWrite("job", key: Self.key(view), nowMS: view.nowMS) || outcome != nil {
                    try printJSONLine(FollowJSON(job: job, temperatures: temperatures, temperaturesStale: stale))
                }
            } else if !control.quiet {
                if terminal {
                    screen.draw(view.screen(width: TerminalStyle.columns))
                } else if throttle.shouldWrite("job", key: Self.key(view), nowMS: view.nowMS) || outcome != nil {
                    say(view.plainLine)
                }
            }
            if let outcome {
                if outcome != .success { throw ExitCode(outcome.rawValue) }
                return
            }
            pause(seconds: interval)
        }
    }

    /// The job as the daemon shows it now, with its printer's heaters while it runs there.
    private func look(id: Int64, printer: String, control: ControlOptions) throws(CLIFailure) -> (JobSummary, [HeaterReading], stale: Bool) {
        let status = try control.call(ControlRequest(id: 0, command: "status", printer: printer)).printers?.first
        if let status, let job = status.job, job.id == id { return (job, status.temperatures, status.temperaturesStale) }
        guard let job = try control.call(ControlRequest(id: 0, command: "jobs.list", job: id)).jobs?.first else {
            throw CLIFailure(.noInput, "there is no job \(id)")
        }
        return (job, status?.temperatures ?? [], status?.temperaturesStale ?? false)
    }

    /// What a piped line is written for: a new state or phase, layer, or whole percent.
    static func key(_ view: JobView) -> String {
        "\(view.job.state) \(view.phase.prefix { $0 != " " }) \(view.job.layer ?? -1) \(Int(view.job.fraction * 100))"
    }

    private struct FollowJSON: Encodable {
        var job: JobSummary
        var temperatures: [HeaterReading]
        var temperaturesStale: Bool

        enum CodingKeys: String, CodingKey {
            case job, temperatures
            case temperaturesStale = "temperatures_stale"
        }
    }
}
