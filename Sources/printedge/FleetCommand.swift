import ArgumentParser
import Foundation
import PrintEdgeControl

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet", abstract: "The link to the fleet's MQTT broker ([mqtt]): its state, and messages the broker refused.",
        discussion: """
            A message the broker refuses for good (MQTT 5 "not authorized": the client's ACL does not \
            allow the topic) is kept and set aside, so it neither blocks the printer's other messages \
            nor goes out again at every reconnect. Fix the broker's ACL, then `printedge fleet retry`.
            """,
        subcommands: [Status.self, Retry.self], defaultSubcommand: Status.self)

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the link and each printer's messages waiting or refused.")
        @OptionGroup var control: ControlOptions
        @Option(help: ArgumentHelp("Only this printer's messages.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
        var printer: String?
        @Flag(help: "JSON for scripts: {schema, fleet, printers: [{id, fleet_outbox}]} (docs/control.md).") var json = false

        func run() throws {
            let reply = try control.call(ControlRequest(id: 0, command: "status", printer: printer))
            guard let fleet = reply.fleet else {
                throw CLIFailure(.configuration, "this daemon has no fleet link: its configuration has no [mqtt] section")
            }
            let printers = reply.printers ?? []
            if json {
                return try printJSON(FleetJSON(fleet: fleet, printers: printers.map { .init(id: $0.id, fleetOutbox: $0.fleetOutbox) }))
            }
            say(FleetLinkLine.link(fleet))
            for printer in printers {
                say("  \(printer.id): " + FleetLinkLine.outbox(printer.fleetOutbox, at: FleetLinkLine.nowMS()))
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send the messages the broker refused again (after fixing its ACL).")
        @OptionGroup var control: ControlOptions
        @Option(help: ArgumentHelp("Only this printer's messages.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
        var printer: String?

        func run() throws {
            let reply = try control.call(ControlRequest(id: 0, command: "fleet.retry", printer: printer))
            let count = reply.retried ?? 0
            if !control.quiet {
                say(count == 0 ? "no refused messages to send again" : "\(count) refused message\(count == 1 ? "" : "s") queued again; they go out within a second while the link is up")
            }
        }
    }

    private struct FleetJSON: Encodable {
        struct Printer: Encodable {
            var id: String
            var fleetOutbox: FleetOutboxStatus?

            enum CodingKeys: String, CodingKey {
                case id
                case fleetOutbox = "fleet_outbox"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(fleetOutbox, forKey: .fleetOutbox)
            }
        }

        var fleet: FleetLinkStatus
        var printers: [Printer]
    }
}

/// The fleet link's lines of `printedge status` and `printedge fleet`.
enum FleetLinkLine {
    static func link(_ fleet: FleetLinkStatus, now: Int64 = FleetLinkLine.nowMS()) -> String {
        let since = age(fleet.sinceMS, now: now)
        var line: String
        switch fleet.state {
        case "connected":
            line = "fleet: connected to \(fleet.server) (MQTT \(fleet.protocolVersion ?? "?")) for \(since)"
            if fleet.inFlight > 0 { line += ", \(fleet.inFlight) in flight" }
        case "down":
            line = "fleet: down for \(since), \(fleet.server)"
            if let error = fleet.lastError { line += ": \(error)" }
            if let retry = fleet.retryAtMS { line += "; next attempt in \(age(now, now: retry))" }
        case "connecting":
            line = "fleet: connecting to \(fleet.server) for \(since)"
        default:
            line = "fleet: \(fleet.state) (\(fleet.server))"
        }
        if fleet.refusedSinceStart > 0 { line += "; \(fleet.refusedSinceStart) refused by the broker since start" }
        return line
    }

    static func outbox(_ outbox: FleetOutboxStatus?, at now: Int64) -> String {
        guard let outbox else { return "outbox unreadable" }
        var text = outbox.waiting == 0 ? "all delivered" : "\(outbox.waiting) waiting"
        if let oldest = outbox.oldestWaitingAtMS, outbox.waiting > 0 { text += " (oldest \(age(oldest, now: now)))" }
        if outbox.refused > 0 {
            text += ", \(outbox.refused) refused by the broker"
            if let latest = outbox.latestRefusal { text += " (last: \(latest))" }
            text += " — fix its ACL, then `printedge fleet retry`"
        }
        return text
    }

    static func nowMS() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded())
    }

    /// "3 s", "4 min", "2 h 5 min", "3 d 4 h".
    static func age(_ thenMS: Int64, now: Int64) -> String {
        let seconds = max(0, (now - thenMS) / 1_000)
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3_600: return "\(seconds / 60) min"
        case ..<86_400: return "\(seconds / 3_600) h \(seconds % 3_600 / 60) min"
        default: return "\(seconds / 86_400) d \(seconds % 86_400 / 3_600) h"
        }
    }
}
