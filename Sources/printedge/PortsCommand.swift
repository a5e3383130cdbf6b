import ArgumentParser

struct PortsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ports", abstract: "List serial ports and the printers likely behind them.")
}
