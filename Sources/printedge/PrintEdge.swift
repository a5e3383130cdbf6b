import ArgumentParser

@main
struct PrintEdge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedge",
        abstract: "Drive 3D printers from the edge: stream G-code fast and exact, fleet-ready.",
        discussion: "`stream` drives a printer directly; the other commands talk to the daemon, printedged, through its control socket. Run `printedge-sim --link /tmp/printedge-printer` for a virtual printer when none is attached.",
        subcommands: [
            StreamCommand.self, StatusCommand.self, JobsCommand.self, SendCommand.self, ConsoleCommand.self, TelemetryCommand.self,
            PortsCommand.self, GPIOCommand.self, PowerCommand.self, FleetCommand.self, CalibrateCommand.self,
        ]
    )
}
