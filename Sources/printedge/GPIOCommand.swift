import ArgumentParser

struct GPIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gpio", abstract: "Inspect and drive GPIO lines for wiring checks.")
}
