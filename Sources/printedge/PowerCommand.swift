import ArgumentParser
import PrintEdgeControl

struct PowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "power", abstract: "Printer power through the GPIO relays of [gpio]: on, off, status.",
        discussion: """
            Without --printer every relay is concerned; with it, the relay that powers that printer. \
            The daemon also switches a relay on before a job starts and off once it has been idle \
            for its idle_off_minutes — never while a hotend it powers is above its safe temperature, \
            which is also why `off` may be refused.
            """,
        subcommands: [On.self, Off.self, Status.self], defaultSubcommand: Status.self)

    struct On: PowerAction {
        static let configuration = CommandConfiguration(abstract: "Close the relay (refused while an emergency stop is pressed); its idle time runs from now.")
        static let request = "power.on"
        @OptionGroup var arguments: PowerArguments
    }

    struct Off: PowerAction {
        static let configuration = CommandConfiguration(abstract: "Open the relay; refused while a printer it powers has a job or a hotend is hot.")
        static let request = "power.off"
        @OptionGroup var arguments: PowerArguments
    }

    struct Status: PowerAction {
        static let configuration = CommandConfiguration(abstract: "Show each relay: on or off, the printers it powers, when it switches off.")
        static let request = "power.status"
        @OptionGroup var arguments: PowerArguments
    }
}

struct PowerArguments: ParsableArguments {
    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("Only the relay powering this printer.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "JSON for scripts: {schema, relays: [...]} (docs/control.md).") var json = false
}

/// A subcommand that sends one power request and prints the relays it answers with.
protocol PowerAction: ParsableCommand {
    static var request: String { get }
    var arguments: PowerArguments { get }
}

extension PowerAction {
    func run() throws {
        let reply = try arguments.control.call(ControlRequest(id: 0, command: Self.request, printer: arguments.printer))
        let relays = reply.relays ?? []
        if arguments.json { return try printJSON(["relays": relays]) }
        if !arguments.control.quiet || Self.request == "power.status" {
            for relay in relays { say(relay.summary) }
        }
    }
}

extension PowerRelayStatus {
    /// "host  on  idle, off in 29m12s if cool  powers mk3, ender  (line 17 on gpiochip0 [pinctrl-rp1])".
    var summary: String {
        var parts = [relay, on ? "on" : "off"]
        switch state {
        case "idle": parts.append(switchOffInSeconds.map { "idle, off in \(JobView.duration($0)) if cool" } ?? "idle, stays on until `printedge power off`")
        case "busy":
            var busy = printing.isEmpty ? [] : ["printing: \(printing.joined(separator: ", "))"]
            if !waitingFor.isEmpty { busy.append("waiting for \(waitingFor.joined(separator: ", ")) to appear") }
            parts.append(busy.joined(separator: "; "))
        default: break
        }
        parts.append("powers \(printers.isEmpty ? "no printer" : printers.joined(separator: ", "))")
        return parts.joined(separator: "  ") + "  (\(line))"
    }
}
