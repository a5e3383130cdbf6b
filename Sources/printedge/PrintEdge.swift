#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeCore

@main
struct PrintEdge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedge",
        abstract: "Drive 3D printers from the edge: stream G-code fast and exact, fleet-ready.",
        discussion: """
            `stream`, `ports` and `gpio` work on the hardware directly; the other commands talk to \
            the daemon, printedged, through its control socket (--socket). Every command that \
            concerns printers takes --printer, every one that prints data takes --json (one \
            dialect: snake_case keys, RFC 3339 times, a `schema` number; docs/control.md), and \
            -q/--quiet prints errors only. Run `printedge-sim --link /tmp/printedge-printer` for \
            a virtual printer when none is attached.

            Exit status:
            \(ExitStatus.table)
            """,
        version: PrintEdgeVersion.number,
        subcommands: [
            StatusCommand.self, WatchCommand.self, JobsCommand.self, SendCommand.self, ConsoleCommand.self, EstopCommand.self,
            ResetCommand.self, TelemetryCommand.self,
            StreamCommand.self, PortsCommand.self, GPIOCommand.self, PowerCommand.self, FleetCommand.self, LogCommand.self, CalibrateCommand.self,
            HealthCommand.self, BackupCommand.self, RestoreCommand.self, LogsCommand.self, DoctorCommand.self,
        ]
    )

    /// Parses, runs, and turns every failure into one line on standard error and its status
    /// from `ExitStatus`; argument errors keep ArgumentParser's messages (exit 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CLIFailure {
            standardError("printedge: \(failure.message)")
            Glibc.exit(failure.status.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
