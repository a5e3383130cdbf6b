import ArgumentParser
import Foundation
import PrintEdgeConfig

/// How the commands that work beside the daemon, not through it (`doctor`, `restore`, and
/// `backup` when it is stopped), find its configuration: the file it was started with.
struct ConfigurationOptions: ParsableArguments {
    static let systemFile = "/etc/printedge/printedge.toml"

    @Option(name: .customLong("config"), help: ArgumentHelp(
        "printedged's configuration (default: \(systemFile) when it exists, else the built-in one, state in ./printedge-state).",
        valueName: "file"))
    var path: String?

    /// The file named, else the system's, else the built-in configuration; a file that does
    /// not load is printed with its `file:line` and exits 78, as `printedged` does.
    func load() throws -> (configuration: DaemonConfiguration, name: String) {
        do {
            if let path { return (try DaemonConfiguration.load(path: path), path) }
            if FileManager.default.fileExists(atPath: Self.systemFile) {
                return (try DaemonConfiguration.load(path: Self.systemFile), Self.systemFile)
            }
            return (try DaemonConfiguration.builtIn(), DaemonConfiguration.builtInName)
        } catch {
            standardError("printedge: \(error)")
            throw ExitCode(78)
        }
    }
}
