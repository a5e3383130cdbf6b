import ArgumentParser
import PrintEdgeFixtures

struct ThroughputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Lines per second of each flow strategy at 115200 and 250000 baud, next to the wire limit.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: ThroughputSection.Options

    func run() throws {
        try BenchSession.run([ThroughputSection(options: options)], options: common)
    }
}

/// Every flow strategy at both common baud rates, with motion sped up 1000× so the wire
/// and the flow control are the only limits. Window and advanced-ok should reach 97 % of
/// what the wire allows for the bytes they sent, without a single overrun byte.
struct ThroughputSection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Command lines in the throughput file (default 20000, 4000 with --quick).")
        var lines: Int?

        func validate() throws {
            if let lines, lines < 100 { throw ValidationError("--lines must be at least 100") }
        }
    }

    static let strategies = ["ping-pong", "window", "advanced-ok"]
    static let baudRates = [115_200, 250_000]
    static let targetPercent = 97.0

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let commandLines = options.lines ?? (context.quick ? 4_000 : 20_000)
        let file = context.workspace.path("throughput-\(commandLines).gcode")
        do {
            try SampleGCode.write(SampleGCode.distinctMoves(count: commandLines), to: file)
        } catch {
            throw BenchError("cannot write \(file): \(error)")
        }
        let fileBytes = Workspace.size(of: file) ?? commandLines * 50

        var table = ResultTable(
            title: "Throughput: \(commandLines) distinct moves, sim --speedup 1000",
            reference: [
                "wire limit = lines / (bytes_sent / (baud/10) s): what 8N1 allows for the bytes actually sent",
                "target: window and advanced-ok >= \(Figure.fixed(ThroughputSection.targetPercent, 0)) % of the wire limit, 0 overrun bytes; "
                    + "ping-pong has no target (one round trip per line)",
            ],
            headers: ["flow", "baud", "lines", "lines/s", "wire limit lines/s", "% of limit", "target", "overrun B",
                      "resends", "CPU s/100k lines", "peak RSS MB", "notes"])
        for baud in ThroughputSection.baudRates {
            for flow in ThroughputSection.strategies {
                // Framing adds about 12 bytes a line; allow four times the wire time.
                let wireSeconds = Double(fileBytes + commandLines * 12) / (Double(baud) / 10)
                let trial = Trial(label: "throughput-\(flow)-\(baud)", file: file, flow: flow, baud: baud, speedup: 1000,
                                  timeout: .seconds(60 + 4 * wireSeconds))
                let result = context.run(trial)
                let hasTarget = flow != "ping-pong"
                table.rows.append([
                    flow, String(baud), Figure.count(result.stream?.lines),
                    Figure.fixed(result.linesPerSecond, 1), Figure.fixed(result.wireLimitLinesPerSecond, 1),
                    Figure.fixed(result.percentOfWireLimit, 1) + ThroughputSection.shortfall(result, hasTarget: hasTarget),
                    hasTarget ? ">= 97 %, 0 B" : "-",
                    Figure.count(result.simulator?.overrunBytes), Figure.count(result.resends),
                    result.cpuPer100kLines, result.peakResidentMB, result.remarks,
                ])
            }
        }
        table.starMeaning = "below the target"
        return table
    }

    /// A star after a figure that misses its target: read, not asserted.
    private static func shortfall(_ result: Trial.Result, hasTarget: Bool) -> String {
        guard hasTarget, let percent = result.percentOfWireLimit else { return "" }
        let overruns = result.simulator?.overrunBytes ?? 0
        // Compared as printed (one decimal), so "97.0" never carries a star.
        return (percent * 10).rounded() < targetPercent * 10 || overruns > 0 ? " *" : ""
    }
}
