import ArgumentParser

@main
struct PrintEdge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedge",
        abstract: "Drive 3D printers from the edge: stream G-code fast and exact, fleet-ready.",
        discussion: "Run `printedge-sim --link /tmp/printedge-printer` for a virtual printer when none is attached.",
        subcommands: [StreamCommand.self]
    )
}
