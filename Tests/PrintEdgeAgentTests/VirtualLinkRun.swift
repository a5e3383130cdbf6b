import PrintEdgeAgent
import PrintEdgeCore
import PrintEdgeSerial
import PrintEdgeSimulator
import PrintEdgeTestSupport
import PrintEdgeVirtualLink

/// One job through the real `PrinterConnection` loop, over a `VirtualLinkTransport` to a
/// `VirtualMarlin` on a virtual clock, with every event the link reported and every command
/// the firmware executed.
final class VirtualLinkRun {
    let transport: VirtualLinkTransport
    let connection: PrinterConnection
    let jobPath: String
    private let directory: TemporaryDirectory
    private(set) var events: [PrinterConnection.Event] = []
    private var executedSoFar: [String] = []

    /// `job`: the file's lines as they are written to it. The printer is one already running
    /// when the port opens (no `start` banner) unless `firmware` asks for the banner.
    /// `options` makes the connection's options for the transport's port: `printedge
    /// stream`'s by default (one job, then close).
    init(job: [String], firmware: VirtualMarlinConfiguration,
         options: (SerialPort.Configuration) -> PrinterConnection.Options = PrinterConnection.Options.singleJob,
         configure: (inout PrinterConnection.Options) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory()
        jobPath = try directory.write("job.gcode", job.joined(separator: "\n") + "\n")
        transport = VirtualLinkTransport(printer: VirtualMarlin(configuration: firmware, start: .zero))
        var connectionOptions = options(transport.portConfiguration)
        configure(&connectionOptions)
        connection = try PrinterConnection(options: connectionOptions)
    }

    /// A printer already running, at `baudRate` with motion `speedup` times faster.
    static func firmware(seed: UInt64 = 1, baudRate: Int = 250_000, speedup: Double = 1000,
                         _ configure: (inout VirtualMarlinConfiguration) -> Void = { _ in }) -> VirtualMarlinConfiguration {
        var configuration = VirtualMarlinConfiguration()
        configuration.baudRate = baudRate
        configuration.speedup = speedup
        configuration.seed = seed
        configuration.printsBannerAtStart = false
        configure(&configuration)
        return configuration
    }

    /// Starts the job and runs the link until it ends. `react` sees each event as it is
    /// emitted, on the loop's thread between two turns: it may act on `transport.printer`
    /// and submit commands, which the loop takes at its next turn.
    func run(reacting react: @escaping (PrinterConnection.Event) -> Void = { _ in }) -> PrinterConnection.Ending {
        connection.submit(.startJob(.init(path: jobPath)))
        let ending = connection.run(over: transport) { [self] event in
            events.append(event)
            react(event)
        }
        return ending
    }

    /// The numbered commands the firmware has executed so far, in order
    /// (`VirtualMarlin.takeExecutionLog`).
    var executed: [String] {
        executedSoFar += transport.printer.takeExecutionLog()
        return executedSoFar
    }

    /// The protocol's counters as last reported (the loop reports them once more as it ends).
    var linkProgress: StreamProgress? {
        events.lazy.reversed().compactMap { event -> StreamProgress? in
            if case .linkProgress(let progress, _) = event { return progress }
            return nil
        }.first
    }

    /// How the job ended, as the link reported it.
    enum JobEnd: Equatable {
        case completed
        case cancelled
        case failed(reason: String)
    }

    /// How the job ended and its progress then; nil while it has not.
    var jobEnd: (end: JobEnd, progress: PrinterConnection.JobProgress)? {
        for event in events.reversed() {
            switch event {
            case .jobCompleted(let progress): return (.completed, progress)
            case .jobCancelled(let progress): return (.cancelled, progress)
            case .jobFailed(let reason, let progress): return (.failed(reason: reason), progress)
            default: continue
            }
        }
        return nil
    }

    /// `consecutive` of each `.timeout`, in order.
    var timeouts: [Int] {
        events.compactMap { event in
            if case .timeout(let consecutive) = event { return consecutive }
            return nil
        }
    }

    /// Everything the host wrote, as text.
    var writtenText: String { String(decoding: transport.written, as: UTF8.self) }
}
