#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

/// `printedge jobs next`: the print farm's "start the next queued job once the bed is
/// cleared" (Repetier-Server's bed-clear confirmation). The daemon never starts a job by
/// itself after another: the last print may still be on the bed, and only a person knows.
struct JobsNextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next",
        abstract: "Start the printer's next queued job once the bed is cleared.",
        discussion: """
            The job at the head of the printer's queue (in submission order) starts, as `jobs \
            start` would. A person confirms first that the bed is clear — the last print taken \
            off, nothing left in the way: on a terminal it asks; from a script (standard input \
            not a terminal) --bed-cleared says so. A cron job or a button on the farm's dashboard \
            runs `printedge jobs next --printer P --bed-cleared` after someone cleared it.
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "The bed is clear: do not ask.") var bedCleared = false
    @Flag(help: "JSON for scripts: {schema, job} (docs/control.md).") var json = false

    func run() throws {
        let target = try control.printer(printer)
        if !bedCleared { try confirm(target) }
        let reply = try control.call(ControlRequest(id: 0, command: "jobs.next", printer: target))
        guard let job = reply.job else { return }
        if json { return try printJSON(["job": job]) }
        if !control.quiet { say(JobView(job: job, nowMS: FleetLinkLine.nowMS()).line) }
    }

    private func confirm(_ target: String) throws(CLIFailure) {
        guard TerminalStyle.isTerminal(STDIN_FILENO) else {
            throw CLIFailure(.usage, "`jobs next` starts a print on printer \(target); standard input is not a terminal to ask on, "
                + "so add --bed-cleared once the last print is off the bed")
        }
        writeStandardError("Start printer \(target)'s next queued job. Is the bed clear (the last print removed, nothing in the way)? [y/N] ")
        let answer = String((readLine() ?? "").filter { !$0.isWhitespace }).lowercased()
        guard answer == "y" || answer == "yes" else {
            throw CLIFailure(.temporaryFailure, "nothing started; the queue is as it was")
        }
    }
}
