import ArgumentParser
import PrintEdgeFixtures

struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "printedged on printedge-sim: time from `jobs start` to the first line on the wire; RSS and CPU printing a 100 MB file.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var start: DaemonStartSection.Options
    @OptionGroup var print: DaemonPrintSection.Options

    func run() throws {
        try BenchSession.run([DaemonStartSection(options: start), DaemonPrintSection(options: print)], options: common)
    }
}

/// From the control request that starts a job to its first line arriving at the printer:
/// the `started` event committed to SQLite, the printer actor told, the file opened and the
/// line written. The simulator stamps the wall clock when the line's bytes arrive.
struct DaemonStartSection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Jobs started for the latency figures (default 20, 5 with --quick).")
        var starts: Int?

        func validate() throws {
            if let starts, starts < 1 { throw ValidationError("--starts must be at least 1") }
        }
    }

    static let targetMilliseconds = 50.0

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let count = options.starts ?? (context.quick ? 5 : 20)
        let file = context.workspace.path("first-line.gcode")
        do {
            try SampleGCode.write([DaemonHarness.firstLineMark] + SampleGCode.distinctMoves(count: 200), to: file)
        } catch {
            throw BenchError("cannot write \(file): \(error)")
        }
        context.progress("daemon: \(count) jobs started, timing each first line ...")
        let harness = try DaemonHarness(label: "daemon-start", context: context)
        defer { harness.stop() }
        try harness.waitUntilIdle(timeout: .seconds(60), interruption: context.interruption)

        var toWire: [Double] = []
        var toReply: [Double] = []
        for _ in 0..<count where !context.interruption.isRequested {
            let job = try harness.submit(file)
            let requested = DaemonHarness.realtimeNanoseconds()
            _ = try harness.call("jobs.start", job: job.id)
            toReply.append(Double(DaemonHarness.realtimeNanoseconds() - requested) / 1e6)
            let deadline = ContinuousClock.now + .seconds(30)
            var arrival = harness.markInstants().first { $0 >= requested }
            while arrival == nil {
                guard ContinuousClock.now < deadline, !context.interruption.isRequested else {
                    throw BenchError("job \(job.id): its first line never reached the simulator (\(harness.simulatorOutput))")
                }
                Sleep.milliseconds(1)
                arrival = harness.markInstants().first { $0 >= requested }
            }
            toWire.append(Double((arrival ?? requested) - requested) / 1e6)
            let ended = try harness.waitForJob(job.id, timeout: .seconds(120), interval: 20, interruption: context.interruption)
            guard ended.state == "completed" else {
                throw BenchError("job \(job.id) ended \(ended.state): \(ended.failureReason ?? "no reason")")
            }
            try harness.waitUntilIdle(timeout: .seconds(30), interruption: context.interruption)
        }

        var table = ResultTable(
            title: "Daemon: jobs start to the first line on the wire, \(toWire.count) jobs, printedge-sim at \(DaemonHarness.baud) baud",
            reference: ["target: first line at the printer within \(Figure.fixed(Self.targetMilliseconds, 0)) ms of the request "
                        + "(what a fleet's start_job must reach); wall clock, request sent to bytes read by the simulator"],
            headers: ["interval", "jobs", "min ms", "median ms", "p90 ms", "max ms", "target ms"])
        table.rows.append(Self.row("request to first line at printer", toWire, target: Self.targetMilliseconds))
        table.rows.append(Self.row("request to reply", toReply, target: nil))
        table.starMeaning = "over the target"
        return table
    }

    private static func row(_ label: String, _ values: [Double], target: Double?) -> [String] {
        let sorted = values.sorted()
        func percentile(_ fraction: Double) -> Double? {
            sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
        }
        let worst = sorted.last
        let star = target.map { (worst ?? 0) > $0 ? " *" : "" } ?? ""
        return [label, String(values.count), Figure.fixed(sorted.first, 1), Figure.fixed(percentile(0.5), 1),
                Figure.fixed(percentile(0.9), 1), Figure.fixed(worst, 1) + star, Figure.fixed(target, 0)]
    }
}

/// The daemon printing a file far larger than its memory budget: resident memory sampled
/// from /proc while it prints (and its lifetime peak, which includes the intake: copy,
/// SHA-256 and analysis), CPU per line, and the line rate against the wire limit.
struct DaemonPrintSection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Size of the printed file in MB (default 100, 10 with --quick).")
        var daemonMB: Int?

        func validate() throws {
            if let daemonMB, daemonMB < 1 { throw ValidationError("--daemon-mb must be at least 1") }
        }
    }

    static let budgetMB = 48.0

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let (file, fileBytes) = try context.largePrint(megabytes: options.daemonMB, section: "daemon")
        defer { context.workspace.removeTemporaryFiles() }

        let harness = try DaemonHarness(label: "daemon-print", context: context)
        var stopped = false
        defer { if !stopped { harness.stop() } }
        try harness.waitUntilIdle(timeout: .seconds(60), interruption: context.interruption)

        context.progress("daemon: submitting (copy, SHA-256, analysis) ...")
        let intakeStart = ContinuousClock.now
        // Forced: the generated layers climb past any real build volume's height.
        let job = try harness.submit(file, force: true)
        let intakeSeconds = (ContinuousClock.now - intakeStart).seconds

        Sleep.milliseconds(600)  // the simulator rewrites its statistics every 0.5 s
        let before = SimulatorReport.decodeLastObject(in: harness.statisticsPath)
        let wireSeconds = Double(fileBytes) * 1.3 / (Double(DaemonHarness.baud) / 10)
        context.progress("daemon: printing \(job.commands) commands (about \(Figure.fixed(wireSeconds / 60, 0)) min) ...")
        let first = ProcessSample(processID: harness.daemon.processID)
        let printStart = ContinuousClock.now
        _ = try harness.call("jobs.start", job: job.id)
        var peakWhilePrinting = first?.residentBytes ?? 0
        let ended = try harness.waitForJob(job.id, timeout: .seconds(120 + 3 * wireSeconds), interval: 500,
                                           interruption: context.interruption) {
            if let sample = ProcessSample(processID: harness.daemon.processID) {
                peakWhilePrinting = max(peakWhilePrinting, sample.residentBytes)
            }
        }
        let printSeconds = (ContinuousClock.now - printStart).seconds
        let last = ProcessSample(processID: harness.daemon.processID)
        Sleep.milliseconds(600)
        let after = SimulatorReport.decodeLastObject(in: harness.statisticsPath)
        let outcomes = harness.stop()
        stopped = true

        var lines: Int?
        var percentOfWire: Double?
        if let before, let after {
            let count = after.linesExecuted - before.linesExecuted
            let bytes = after.bytesReceived - before.bytesReceived
            lines = count
            if bytes > 0 {
                let wireLimit = Double(count) / (Double(bytes) / (Double(DaemonHarness.baud) / 10))
                percentOfWire = Double(count) / printSeconds / wireLimit * 100
            }
        }
        let cpu = first.flatMap { first in last.map { $0.cpuSeconds - first.cpuSeconds } }
        let printingMB = Double(peakWhilePrinting) / 1e6
        var notes: [String] = []
        if ended.state != "completed" { notes.append("job \(ended.state): \(ended.failureReason ?? "no reason")") }
        if outcomes.daemon.status != 0 { notes.append("printedged exited \(outcomes.daemon.status)") }

        var table = ResultTable(
            title: "Daemon: printing a \(Figure.fixed(Double(fileBytes) / 1e6, 1)) MB file on printedge-sim at \(DaemonHarness.baud) baud, --speedup 10000",
            reference: [
                "budget: printedged's RSS while printing <= \(Figure.fixed(Self.budgetMB, 0)) MB whatever the file size "
                    + "(sampled from /proc every 0.5 s; peak RSS is ru_maxrss over its whole life, intake included)",
                "wire limit: lines/s if every byte the simulator received had been sent back to back",
            ],
            headers: ["file MB", "lines", "lines/s", "% of wire limit", "RSS printing MB", "peak RSS MB", "budget MB",
                      "CPU s/100k lines", "CPU % of a core", "intake s", "sim peak RSS MB", "notes"])
        table.rows.append([
            Figure.fixed(Double(fileBytes) / 1e6, 1), Figure.count(lines),
            Figure.fixed(lines.map { Double($0) / printSeconds }, 0), Figure.fixed(percentOfWire, 1),
            Figure.fixed(printingMB, 1) + (printingMB > Self.budgetMB ? " *" : ""),
            Figure.fixed(outcomes.daemon.peakResidentMB, 1), Figure.fixed(Self.budgetMB, 0),
            Figure.cpuPer100kLines(cpu, lines: lines), Figure.fixed(cpu.map { $0 / printSeconds * 100 }, 1),
            Figure.fixed(intakeSeconds, 1), Figure.fixed(outcomes.simulator.peakResidentMB, 1),
            notes.isEmpty ? "-" : notes.joined(separator: "; "),
        ])
        table.starMeaning = "over the budget"
        if ended.state != "completed" { context.sectionFailed(BenchError("job \(job.id) ended \(ended.state)")) }
        return table
    }
}
