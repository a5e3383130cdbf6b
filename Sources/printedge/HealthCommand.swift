import ArgumentParser
import Foundation
import PrintEdgeControl

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Whether the daemon can do its work: ready, degraded or failed, and why.",
        discussion: """
            Checks the database takes writes, the free space where it lives, each printer's link \
            and the fleet link, as the systemd watchdog does. Exit status as monitoring plugins \
            expect: 0 ready, 1 degraded (a printer offline or in error, the fleet link down, the \
            disk low: the daemon works, a person should look), 2 failed (the daemon cannot work: \
            it is not running or does not answer, the database refuses writes with nothing \
            printing, a printer's actor is stuck). 64: a usage error.
            """)

    @OptionGroup var control: ControlOptions
    @Flag(help: "The verdict as one JSON object: {level, summary, checks: [{component, subject, level, message}], at, schema}.")
    var json = false

    func run() throws {
        let verdict: HealthVerdict
        do throws(CLIFailure) {
            guard let answered = try control.call(ControlRequest(id: 0, command: "health")).health else {
                throw CLIFailure(.protocolError, "the daemon sent no verdict")
            }
            verdict = answered
        } catch {
            // A daemon that does not answer is the most failed of all, not a usage problem.
            verdict = HealthVerdict(checks: [HealthCheck(component: "daemon", level: .failed, message: error.message)],
                                    atMS: Int64(Date().timeIntervalSince1970 * 1000))
        }
        if json {
            try SnakeCaseJSON.print(verdict)
        } else {
            print(verdict.summary)
            let width = verdict.checks.map(\.name.count).max() ?? 0
            for check in verdict.checks {
                let name = check.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let level = check.level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                print("  \(name)  \(level)  \(check.message)")
            }
        }
        if verdict.level != .ready { throw ExitCode(verdict.level.exitStatus) }
    }
}
