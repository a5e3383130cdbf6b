#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Logging
import PrintEdgeConfig
import PrintEdgeCore
import PrintEdgeDaemon
import PrintEdgeJournal

/// `printedged`: parse arguments, load the configuration, build the daemon, run it.
@main
struct PrintEdgeDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedged",
        abstract: "The printedge daemon: printers, jobs and telemetry, kept in SQLite first.",
        discussion: "Without --config it runs the built-in default (config/printedge.toml): one virtual printer and a database in ./printedge-state, from any directory (the printedge-sim profile is compiled in).",
        version: PrintEdgeVersion.number)

    @Option(help: ArgumentHelp("The configuration file (TOML).", valueName: "file"))
    var config: String?

    @Flag(name: .customLong("check-config"), help: ArgumentHelp(
        "Check the configuration, its printer profiles and every file and directory it names as a start would, then exit.",
        discussion: "0 when the daemon would start, with a note when one already runs on the state directory; otherwise the message and exit status a start gives (78 configuration, 74 state directory, 69 unavailable). Run it as the daemon's user."))
    var checkConfig = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "The least severe messages logged: trace, debug (each start-up step with its duration), info, notice, warning, error or critical.",
        discussion: "Under systemd each line carries its syslog priority, so `journalctl -p warning -u printedged` filters too.",
        valueName: "level"))
    var logLevel: Logger.Level = .info

    func run() async throws {
        let environment = environment()
        // Standard error, in the journal's format when systemd connected it to journald.
        let writer = JournalWriter.standardError(environment: environment)
        let level = logLevel
        let logger = Logger(label: "printedged") { _ in JournalLogHandler(writer: writer, level: level) }
        let configuration: DaemonConfiguration
        do {
            configuration = try config.map { path throws(ConfigurationError) in try DaemonConfiguration.load(path: path) }
                ?? DaemonConfiguration.builtIn()
        } catch {
            standardError("printedged: \(error)")
            throw ExitCode(78)
        }
        if checkConfig {
            do {
                _ = try DaemonPreflight(configuration: configuration)
            } catch {
                standardError("printedged: \(error)")
                throw ExitCode(error.exitStatus)
            }
            print("\(config ?? "built-in configuration"): valid; \(configuration.printers.count) printer(s): "
                  + configuration.printers.map { "\($0.id) (\($0.profile.name))" }.joined(separator: ", "))
            if let pid = Daemon.runningDaemon(stateDirectory: configuration.stateDirectory) {
                print("note: printedged is already running (pid \(pid)), state in \(configuration.stateDirectory); a start now would be refused (exit 75) until it stops")
            }
            return
        }
        let daemon: Daemon
        do {
            daemon = try await Daemon.build(configuration: configuration, environment: environment, logger: logger)
        } catch {
            standardError("printedged: \(error)")
            throw ExitCode(error.exitStatus)
        }
        logger.info("printedged \(PrintEdgeVersion.number) ready: control socket \(daemon.socketPath), state in \(configuration.stateDirectory)")
        try await daemon.run(logger: logger)
    }

    private func environment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

/// Straight to fd 2: C's `stderr` is shared mutable state to Swift 6.
func standardError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
