import ArgumentParser
import PrintEdgeCore
import PrintEdgeSimulator

/// `printedge-sim --link PATH [options]`: a virtual Marlin 2.1 printer on a pseudo-terminal.
@main
struct PrintEdgeSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedge-sim",
        abstract: "A virtual Marlin 2.1 printer on a pseudo-terminal, faults included.",
        discussion: """
            Creates a pty, points --link at its slave end, prints one line \
            "printedge-sim: listening on <slave> (link <link>)" and then answers whatever a \
            host writes there as Marlin 2.1 would: 8N1 wire pacing at --baud in both \
            directions, a 127-byte RX ring that loses bytes when full, BUFSIZE command slots, \
            a planner of BLOCK_BUFFER_SIZE - 1 moves, line numbers and checksums with \
            Error/Resend/ok, busy keepalives, M105/M155 temperatures, M112 halts.

            SIGTERM or SIGINT flushes the execution log, writes the stats file, removes the \
            link and exits 0. The stats file is rewritten every 0.5 s and the execution log \
            flushed at least as often, so a run killed with SIGKILL still leaves recent data.
            """,
        version: PrintEdgeVersion.number)

    @Option(help: ArgumentHelp("Symlink to create pointing at the pty's slave end; hosts open this path.", valueName: "path"))
    var link: String

    @Option(help: "Bits per second in each direction; a byte takes 10 bits.")
    var baud = 115_200

    @Option(name: .customLong("latency-ms"), help: "One-way delay added in each direction, in milliseconds.")
    var latencyMilliseconds = 0.0

    @Option(name: .customLong("rx-buffer"), help: "RX_BUFFER_SIZE: the UART ring (holds one byte less).")
    var rxBuffer = 128

    @Option(name: .customLong("tx-buffer"), help: "TX_BUFFER_SIZE: bytes queued for sending before printing blocks the firmware (0: unbuffered, as AVR).")
    var txBuffer = 32

    @Option(help: "BUFSIZE: command queue slots.")
    var bufsize = 4

    @Option(help: "BLOCK_BUFFER_SIZE: planner slots (one always stays free).")
    var planner = 16

    @Option(help: "Divide motion, homing, dwell and heating times by this.")
    var speedup = 1.0

    @Flag(name: .customLong("advanced-ok"), help: "ADVANCED_OK: answer ok N<line> P<planner free> B<slots free>.")
    var advancedOK = false

    @Option(name: .customLong("noise-rx"), help: "Probability that a received byte gets one random bit flipped.")
    var noiseRX = 0.0

    @Option(name: .customLong("noise-tx"), help: "Probability that a sent byte gets one random bit flipped.")
    var noiseTX = 0.0

    @Option(name: .customLong("drop-ok"), help: "Probability that an ok line is never sent.")
    var dropOK = 0.0

    @Option(name: .customLong("reset-after-lines"), help: "Reset the firmware once, after this many numbered commands were executed.")
    var resetAfterLines: Int?

    @Option(help: "Seed for every random fault; the same seed and input give the same run.")
    var seed: UInt64 = 0

    @Option(
        name: .customLong("exec-log"),
        help: ArgumentHelp(
            "Write each executed numbered command (the print stream; M110 excluded) to this file (truncated at start), one per line, without its N prefix and checksum. Unnumbered commands (host polls such as M105, emergency commands) are not logged; --stats counts them as unnumbered_commands.",
            valueName: "file"))
    var execLog: String?

    @Option(help: ArgumentHelp("Write counters as one JSON object to this file (every 0.5 s and at exit).", valueName: "file"))
    var stats: String?

    @Option(
        help: ArgumentHelp(
            "Print `printedge-sim: mark received at unix_ns=N` each time bytes containing this text arrive from the host: how the bench times a job's first line on the wire.",
            valueName: "text"))
    var mark: String?

    @Option(
        name: .customLong("host-action-file"),
        help: ArgumentHelp(
            "The printer's own screen: each line appended to this file (pause, resume, cancel...) is sent as `//action:<line>`, as Marlin does when someone uses its screen during a host print. Checked every 0.1 s; the file may be created later.",
            valueName: "file"))
    var hostActionFile: String?

    @Flag(name: .customLong("exit-with-parent"), help: "Stop (as on SIGTERM) when the process that started this one dies: how printedged's virtual printers follow it.")
    var exitWithParent = false

    func validate() throws {
        if link.isEmpty { throw ValidationError("--link needs a path, e.g. --link /tmp/printer") }
        if !(latencyMilliseconds >= 0) || !latencyMilliseconds.isFinite || latencyMilliseconds > 60_000 {
            throw ValidationError("--latency-ms must be between 0 and 60000")
        }
        if let problem = printerConfiguration.problem { throw ValidationError(problem) }
        if mark?.isEmpty == true { throw ValidationError("--mark needs some text, e.g. --mark M117") }
    }

    var printerConfiguration: VirtualMarlinConfiguration {
        var configuration = VirtualMarlinConfiguration()
        configuration.baudRate = baud
        configuration.latency = .nanoseconds(Int64((latencyMilliseconds.isFinite ? min(max(latencyMilliseconds, 0), 60_000) : 0) * 1e6))
        configuration.receiveBufferSize = rxBuffer
        configuration.transmitBufferSize = txBuffer
        configuration.commandSlots = bufsize
        configuration.plannerBlocks = planner
        configuration.speedup = speedup
        configuration.advancedOK = advancedOK
        configuration.receiveNoiseProbability = noiseRX
        configuration.transmitNoiseProbability = noiseTX
        configuration.okDropProbability = dropOK
        configuration.resetAfterLines = resetAfterLines
        configuration.seed = seed
        configuration.recordsExecutionLog = execLog != nil
        return configuration
    }

    func run() throws {
        do {
            var loop = try SimulatorLoop(
                configuration: printerConfiguration, linkPath: link, executionLogPath: execLog, statisticsPath: stats,
                exitWithParent: exitWithParent, mark: mark, hostActionPath: hostActionFile)
            try loop.run()
        } catch {
            throw RuntimeFailure(message: "printedge-sim: \(error)")
        }
    }
}

/// An error that ends the process with status 1 and this message on stderr.
struct RuntimeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
