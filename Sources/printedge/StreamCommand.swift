import ArgumentParser
import FoundationEssentials
import Glibc
import PrintEdgeAgent
import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeSerial

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream a G-code file into a printer and wait until every line is acknowledged.",
        discussion: """
            The file is checked first (lines too long for the firmware, non-ASCII bytes outside \
            comments) and nothing is sent if it fails. Ctrl-C stops after the line being written: \
            the printer finishes what it has buffered.
            Exit status: 0 every line acknowledged; 1 the stream failed (disconnected, printer \
            error, emergency stop); 65 the file was refused; 66 the file cannot be read; 69 the \
            port cannot be opened; 73 the --log file cannot be created; 130 stopped by Ctrl-C or \
            SIGTERM (the table: `printedge --help`).
            """
    )

    @Argument(help: "The G-code file to print.", completion: .file(extensions: ["gcode", "gco", "g"]))
    var file: String

    @Option(help: "The printer's serial port: /dev/ttyACM0, a /dev/serial/by-id/ link, or a printedge-sim link.", completion: .file())
    var port: String

    @Option(help: "Baud rate; rates like 250000 or 1000000 are set through termios2.")
    var baud: Int = 115_200

    @Option(help: "Flow control: \(FlowSelection.allNames.joined(separator: ", ")).", completion: .list(FlowSelection.allNames))
    var flow: String = "auto"

    @Option(help: "The firmware's serial RX buffer in bytes (Marlin's default is 128).")
    var rxBuffer: Int = 128

    @Option(help: "The firmware's command slots (Marlin's BUFSIZE, default 4).")
    var commandSlots: Int = 4

    @Option(help: "Seconds without any answer before the oldest unacknowledged line is sent again.")
    var timeout: Double = 4

    @Flag(help: "Pulse DTR when opening the port (resets most AVR boards).")
    var resetOnOpen = false

    @Flag(help: "Print a JSON summary document on standard output when done (docs/control.md's dialect, with `schema`).")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress bar or messages; errors only (and --json).")
    var quiet = false

    @Option(help: "Write every line sent and received, timestamped, to this file (the file's own text beside each line sent).", completion: .file())
    var log: String?

    func validate() throws {
        guard FlowSelection(flow) != nil else {
            throw ValidationError("--flow must be one of \(FlowSelection.allNames.joined(separator: ", ")), not '\(flow)'")
        }
        guard baud > 0 else { throw ValidationError("--baud must be a positive rate, e.g. 115200 or 250000") }
        guard rxBuffer >= 16 else { throw ValidationError("--rx-buffer must be at least 16 bytes") }
        guard commandSlots >= 1 else { throw ValidationError("--command-slots must be at least 1") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        let output = StreamOutput(json: json, quiet: quiet, file: file, port: port, baud: baud)
        let job: StreamJob
        do {
            job = try StreamJob.prepare(path: file)
        } catch {
            throw output.fail(error)
        }
        // Everything local is checked before the printer is touched.
        var serialLog: SerialLog?
        if let log {
            do {
                serialLog = try SerialLog(path: log)
            } catch {
                throw output.fail(.log(error))
            }
        }
        let stopSignal: WakeupPipe
        do {
            stopSignal = try WakeupPipe()
        } catch {
            throw output.fail(.port(SerialError(error)))
        }
        SignalWakeup.install([SIGINT, SIGTERM], waking: stopSignal, secondSignalKills: true)

        // One job, then close, on the daemon's own link loop.
        var options = PrinterConnection.Options.singleJob(port: .init(path: port, baudRate: baud, toggleDTROnOpen: resetOnOpen))
        options.protocolConfiguration.flow = FlowSelection(flow) ?? .auto
        options.protocolConfiguration.rxBufferBytes = rxBuffer
        options.protocolConfiguration.commandSlots = commandSlots
        options.protocolConfiguration.communicationTimeout = .milliseconds(Int64(timeout * 1000))
        let connection: PrinterConnection
        do {
            connection = try PrinterConnection(options: options, stopSignal: stopSignal)
        } catch {
            throw output.fail(.port(error))
        }
        connection.setWireLog(serialLog)
        connection.submit(.startJob(.init(path: file, maxFramedBytes: job.maxFramedBytes)))
        var display = ProgressDisplay(totalLines: job.commands, enabled: !quiet)
        var last: (progress: StreamProgress, elapsed: Duration)?
        var outcome: Result<Void, StreamFailure>?
        let ending = connection.run { event in
            display.show(event)
            switch event {
            case .linkProgress(let progress, let elapsed): last = (progress, elapsed)
            case .jobCompleted: outcome = .success(())
            case .jobFailed(let reason, _): outcome = outcome ?? .failure(.jobFailed(reason))
            default: break
            }
        }
        display.finish()
        let progress = last?.progress ?? StreamProgress()
        switch (ending, outcome) {
        case (_, .success):
            output.succeed(StreamSummary(progress: progress, elapsed: last?.elapsed ?? .zero), job: job)
        case (.failed(.cannotOpen(let error)), _):
            throw output.fail(.port(error))
        case (.failed(.disconnected(let path, let reason)), _):
            throw output.fail(.disconnected(path: path, reason: reason, lastAcknowledgedLine: progress.linesAcknowledged, totalLines: job.commands))
        case (.failed(.protocolFailure(let error)), _):
            throw output.fail(.protocolFailure(error))
        case (.failed(.emergencyStopped), _):
            throw output.fail(.emergencyStopped(lastAcknowledgedLine: progress.linesAcknowledged))
        case (.closed, .failure(let failure)) where !stopSignalFired(failure):
            throw output.fail(failure)
        case (.closed, _):
            throw output.fail(.interrupted(lastAcknowledgedLine: progress.linesAcknowledged, totalLines: job.commands))
        }
    }

    /// A job ended by the connection's close, which only the stop signal asks for here.
    private func stopSignalFired(_ failure: StreamFailure) -> Bool {
        if case .jobFailed(let reason) = failure { return reason == PrinterConnection.closedReason }
        return false
    }
}

/// Prints the outcome: a human line on standard error, and with `--json` one object on
/// standard output that fleet tooling can parse whatever happened.
struct StreamOutput {
    let json: Bool
    let quiet: Bool
    let file: String
    let port: String
    let baud: Int

    func succeed(_ summary: StreamSummary, job: StreamJob) {
        let progress = summary.progress
        if !quiet { standardError("done: \(progress.linesAcknowledged) lines in \(format(summary.elapsed.seconds, 1)) s "
            + "(\(format(summary.linesPerSecond, 0)) lines/s), \(progress.bytesSent) bytes, "
            + "\(progress.retransmittedLines) lines resent, flow \(progress.flow?.rawValue ?? "-")") }
        if json { emit(StreamReport(summary, job: job, port: port, baud: baud)) }
    }

    func fail(_ failure: StreamFailure) -> ExitCode {
        standardError("printedge stream: \(failure)")
        if json { emit(StreamReport(failure, file: file, port: port, baud: baud)) }
        return ExitCode(failure.exitStatus)
    }

    private func emit(_ report: StreamReport) {
        try? printJSONLine(report)
    }
}

extension StreamFailure {
    /// sysexits(3) codes where one fits, so scripts can tell a bad file from a bad cable.
    var exitStatus: Int32 {
        let status: ExitStatus =
            switch self {
            case .rejected, .empty: .dataError
            case .file: .noInput
            case .port: .unavailable
            case .log: .cannotCreate
            case .interrupted: .interrupted
            case .disconnected, .protocolFailure, .emergencyStopped, .jobFailed: .jobFailed
            }
        return status.rawValue
    }
}
