#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeControl

/// `jobs recover` heats the printer and moves the head down onto the part: a person at the
/// printer confirms first, and a script that cannot be asked says so with `--yes`.
enum RecoveryConfirmation {
    static func ask(job id: Int64, control: ControlOptions) throws(CLIFailure) {
        guard TerminalStyle.isTerminal(STDIN_FILENO) else {
            throw CLIFailure(.usage, "`jobs recover` heats the printer and moves its head onto the part; standard input is not a terminal "
                + "to ask on, so add --yes once you know the part is still on the bed and nothing moved")
        }
        let job = try control.call(ControlRequest(id: 0, command: "jobs.list", job: id)).jobs?.first
        let layer = job.flatMap { JobView(job: $0, nowMS: FleetLinkLine.nowMS()).layer }.map { " from \($0)" } ?? ""
        writeStandardError("Recovering job \(id)\(job.map { " (\($0.name) on \($0.printer))" } ?? "")\(layer) heats the hotend and bed, "
            + "homes X and Y, and lowers the head onto the part.\nIs the part still on the bed, and nothing moved? [y/N] ")
        let answer = String((readLine() ?? "").filter { !$0.isWhitespace }).lowercased()
        guard answer == "y" || answer == "yes" else {
            throw CLIFailure(.temporaryFailure, "job \(id) not recovered; it stays interrupted (`printedge jobs cancel \(id)` dismisses it)")
        }
    }
}
