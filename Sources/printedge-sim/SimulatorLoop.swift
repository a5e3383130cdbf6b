import Glibc
import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeSerial
import PrintEdgeSimulator

/// The I/O around a `VirtualMarlin`: one thread, one ppoll on the pty master and two wake-up
/// descriptors (stop, reset), with the timeout set to the model's next event.
///
/// Each turn reads what the host wrote (stamped with the instant it was read), advances
/// the model to now, and writes what reached the host, keeping what the pty does not
/// take for the next turn.
///
/// **Hosts come and go; the printer does not notice.** `PseudoTerminal` keeps the slave
/// open itself, so when a host closes the port the master sees neither EIO nor POLLHUP:
/// the model keeps executing what it had received (RX ring, queue, planner) and its
/// replies keep going into the pty, where the kernel holds them in the slave's input
/// queue (about 4 KiB of line discipline plus up to 64 KiB of tty buffer), and beyond that
/// in `pendingOutput`, without limit. The next host to open the port reads them first, as
/// it would from a USB-serial adapter (CH340, FTDI) or a CDC board that kept what the
/// firmware printed while no host listened. A host that does not want them flushes its
/// input after opening (`SerialPort` does), and still receives whatever was on its way.
struct SimulatorLoop {
    private let terminal: PseudoTerminal
    private var printer: VirtualMarlin
    private let wakeup: WakeupPipe
    private var pollSet = PollSet()
    private let masterSlot: Int
    private let wakeupSlot: Int
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)
    private var pendingOutput: [UInt8] = []
    private var executionLog: AppendOnlyFile?
    private var motionLog: AppendOnlyFile?
    private let eepromPath: String?
    private let resetRequest: WakeupPipe
    private let resetSlot: Int
    private let statisticsPath: String?
    private var nextStatisticsWrite: MonotonicInstant
    private var nextLogFlush: MonotonicInstant
    /// With `--exit-with-parent`: the parent at start; another parent means it died (a
    /// daemon killed with SIGKILL), and a virtual printer without its host stops too.
    private let parent: pid_t?
    private var markWatch: MarkWatch?
    private var hostActions: HostActionFile?
    /// `--bed-screws-file`: read as the host actions are, one turn a line.
    private var bedScrews: HostActionFile?

    private static let statisticsInterval = Duration.milliseconds(500)
    private static let logFlushInterval = Duration.milliseconds(100)

    init(
        configuration: VirtualMarlinConfiguration, linkPath: String, executionLogPath: String?,
        statisticsPath: String?, motionLogPath: String? = nil, eepromPath: String? = nil, exitWithParent: Bool = false,
        mark: String? = nil, hostActionPath: String? = nil, bedScrewsPath: String? = nil
    ) throws {
        self.eepromPath = eepromPath
        markWatch = mark.map { MarkWatch(mark: Array($0.utf8)) }
        hostActions = hostActionPath.map { HostActionFile(path: $0) }
        bedScrews = bedScrewsPath.map { HostActionFile(path: $0) }
        parent = exitWithParent ? getppid() : nil
        executionLog = try executionLogPath.map { try AppendOnlyFile(path: $0) }
        motionLog = try motionLogPath.map { try AppendOnlyFile(path: $0) }
        self.statisticsPath = statisticsPath
        wakeup = try WakeupPipe()
        resetRequest = try WakeupPipe()
        terminal = try PseudoTerminal(symlinkPath: linkPath)
        masterSlot = pollSet.add(terminal.masterFileDescriptor, interest: .readable)
        wakeupSlot = pollSet.add(wakeup.fileDescriptor, interest: .readable)
        resetSlot = pollSet.add(resetRequest.fileDescriptor, interest: .readable)
        let start = MonotonicInstant.now()
        printer = VirtualMarlin(configuration: configuration, start: start)
        nextStatisticsWrite = start
        nextLogFlush = start + SimulatorLoop.logFlushInterval
        SignalWakeup.install([SIGTERM, SIGINT], waking: wakeup, secondSignalKills: false)
        ResetSignal.install(waking: resetRequest)
    }

    mutating func run() throws {
        print("printedge-sim: listening on \(terminal.slavePath) (link \(terminal.symlinkPath ?? "-"))")
        fflush(nil)  // all streams: `stdout` itself is not concurrency-safe to name
        defer { terminal.close() }
        while true {
            let now = MonotonicInstant.now()
            var wakeAt = min(nextStatisticsWrite, nextLogFlush)
            if let next = printer.nextEventInstant { wakeAt = min(wakeAt, next) }
            pollSet.setInterest(pendingOutput.isEmpty ? .readable : [.readable, .writable], forSlot: masterSlot)
            _ = try pollSet.wait(timeout: wakeAt > now ? wakeAt - now : .zero)
            if pollSet.readiness(ofSlot: wakeupSlot).contains(.readable) { break }

            let instant = MonotonicInstant.now()
            if !pollSet.readiness(ofSlot: masterSlot).isEmpty {
                try readHost(at: instant)
            }
            if pollSet.readiness(ofSlot: resetSlot).contains(.readable) {
                resetRequest.drain()
                printer.resetBoard(at: instant, appendingOutputTo: &pendingOutput)
            }
            printer.advance(to: instant, appendingOutputTo: &pendingOutput)
            try writeHost()
            try storeEEPROM()
            if instant >= nextLogFlush {
                try flushLogs()
                try announceHostActions()
                try turnBedScrews()
                nextLogFlush = instant + SimulatorLoop.logFlushInterval
            }
            if instant >= nextStatisticsWrite {
                if let parent, getppid() != parent { break }
                try writeStatistics()
                nextStatisticsWrite = instant + SimulatorLoop.statisticsInterval
            }
        }
        printer.advance(to: MonotonicInstant.now(), appendingOutputTo: &pendingOutput)
        try? writeHost()
        try storeEEPROM()
        try flushLogs()
        try writeStatistics()
    }

    private mutating func readHost(at instant: MonotonicInstant) throws {
        while true {
            let count = try readBuffer.withUnsafeMutableBytes { buffer in
                try terminal.read(into: buffer)
            }
            guard count > 0 else { return }
            if markWatch != nil { watchForMark(readBuffer[0..<count]) }
            printer.hostWrote(readBuffer[0..<count], at: instant)
            if count < readBuffer.count { return }
        }
    }

    /// Stamps the wall clock, not the model's, so that the bench can compare it with the
    /// instant it sent its request.
    private mutating func watchForMark(_ bytes: ArraySlice<UInt8>) {
        guard markWatch?.found(in: bytes) == true else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        print("printedge-sim: mark received at unix_ns=\(Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec))")
        fflush(nil)
    }

    private mutating func writeHost() throws {
        guard !pendingOutput.isEmpty else { return }
        let written = try pendingOutput.withUnsafeBytes { bytes in
            try terminal.write(bytes)
        }
        if written == pendingOutput.count {
            pendingOutput.removeAll(keepingCapacity: true)
        } else if written > 0 {
            pendingOutput.removeFirst(written)
        }
    }

    /// What M500 stored, onto the `--eeprom` file (in memory only without one).
    private mutating func storeEEPROM() throws {
        guard let image = printer.takeEEPROMWrite(), let eepromPath else { return }
        try EEPROMFile.store(image, path: eepromPath)
    }

    private mutating func flushLogs() throws {
        if let executionLog {
            try SimulatorLoop.append(printer.takeExecutionLog(), to: executionLog)
        }
        if let motionLog {
            try SimulatorLoop.append(printer.takeMotionLog(), to: motionLog)
        }
    }

    private static func append(_ lines: [String], to file: AppendOnlyFile) throws {
        guard !lines.isEmpty else { return }
        var text = lines.joined(separator: "\n")
        text.append("\n")
        try file.append(text)
    }

    /// Buttons pressed on the printer's screen since the last look (`--host-action-file`);
    /// their lines leave at the next turn, as the model's next event.
    private mutating func announceHostActions() throws {
        guard var file = hostActions else { return }
        let lines = try file.newLines()
        hostActions = file
        for line in lines where !printer.announceHostAction(line) {
            var warning = "printedge-sim: \(file.path): `\(line)` is not an action name (one word, printable ASCII); ignored\n"
            _ = warning.withUTF8 { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// Screws turned since the last look (`--bed-screws-file`).
    private mutating func turnBedScrews() throws {
        guard var file = bedScrews else { return }
        let lines = try file.newLines()
        bedScrews = file
        for line in lines where !printer.turnBedScrew(line) {
            var warning = "printedge-sim: \(file.path): `\(line)` is not `<screw> <cw|ccw> <turns>` (a screw 1-4 or front left, front right, back right, back left); ignored\n"
            _ = warning.withUTF8 { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// Replaces the file atomically, so a reader never sees half an object.
    private func writeStatistics() throws {
        guard let statisticsPath else { return }
        try AppendOnlyFile.replaceContents(of: statisticsPath, with: printer.statistics.json)
    }
}
