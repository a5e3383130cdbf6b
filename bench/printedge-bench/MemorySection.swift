import ArgumentParser

struct MemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Peak resident memory of printedge streaming a large file (100 MB by default), next to the 15 MB budget.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: MemorySection.Options

    func run() throws {
        try BenchSession.run([MemorySection(options: options)], options: common)
    }
}

/// A print far larger than the budget, streamed with window flow at 1,000,000 baud
/// (about 100 kB/s: 100 MB take some 17 minutes), to show printedge's memory does not grow
/// with the file. The file is generated once, streaming, and removed afterwards.
struct MemorySection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Size of the large file in MB (default 100, 10 with --quick).")
        var largeMB: Int?

        func validate() throws {
            if let largeMB, largeMB < 1 { throw ValidationError("--large-mb must be at least 1") }
        }
    }

    static let baud = 1_000_000
    static let budgetMB = 15.0

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let (file, fileBytes) = try context.largePrint(megabytes: options.largeMB, section: "memory")
        defer { context.workspace.removeTemporaryFiles() }

        let wireSeconds = Double(fileBytes) * 1.3 / (Double(MemorySection.baud) / 10)
        let trial = Trial(label: "memory-\(fileBytes / 1_000_000)MB", file: file, flow: "window", baud: MemorySection.baud,
                          speedup: 10_000, timeout: .seconds(120 + 3 * wireSeconds), checksExecution: false)
        let result = context.run(trial)
        let peak = result.streamProcess?.peakResidentMB
        var table = ResultTable(
            title: "Memory: \(Figure.fixed(Double(fileBytes) / 1_000_000, 1)) MB file, window flow at \(MemorySection.baud) baud, sim --speedup 10000",
            reference: ["target: peak RSS of printedge <= \(Figure.fixed(MemorySection.budgetMB, 0)) MB whatever the file size (MB = 10^6 bytes, from ru_maxrss)"],
            headers: ["file MB", "lines", "peak RSS MB", "budget MB", "CPU s/100k lines", "lines/s", "% of wire limit",
                      "overrun B", "sim peak RSS MB", "notes"])
        table.rows.append([
            Figure.fixed(Double(fileBytes) / 1_000_000, 1), Figure.count(result.stream?.lines),
            // Compared as printed (one decimal), as the throughput target is.
            Figure.fixed(peak, 1) + (((peak ?? 0) * 10).rounded() > MemorySection.budgetMB * 10 ? " *" : ""),
            Figure.fixed(MemorySection.budgetMB, 0), result.cpuPer100kLines, Figure.fixed(result.linesPerSecond, 1),
            Figure.fixed(result.percentOfWireLimit, 1), Figure.count(result.simulator?.overrunBytes),
            Figure.fixed(result.simulatorProcess?.peakResidentMB, 1), result.remarks,
        ])
        table.starMeaning = "over the budget"
        return table
    }
}
