import ArgumentParser

/// `printedge-bench`: streams generated G-code through `printedge` into `printedge-sim` and
/// prints the figures next to the limits they are read against. It measures; it never
/// fails because a figure is low (see bench/README.md).
@main
struct PrintEdgeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedge-bench",
        abstract: "Benchmark: streaming throughput against the wire limit, planner starvation, memory on a large file, telemetry ingest, the daemon, the fleet link.",
        discussion: """
            Runs printedge and printedge-sim from the bench's own directory (or --bin-dir). Tables go to \
            standard output and, as markdown, to --results; progress and failures to standard error; each \
            run's logs to a directory in /tmp, printed at the start.
            Exit status: 0 every run completed; 1 a run failed (see its row); 130 interrupted.
            """,
        subcommands: [AllCommand.self, ThroughputCommand.self, MemoryCommand.self, StarvationCommand.self, TelemetryCommand.self, DaemonCommand.self, FleetCommand.self],
        defaultSubcommand: AllCommand.self)
}

struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Every section: throughput, starvation, telemetry, the daemon, then memory.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var throughput: ThroughputSection.Options
    @OptionGroup var starvation: StarvationSection.Options
    @OptionGroup var memory: MemorySection.Options
    @OptionGroup var telemetry: TelemetrySection.Options
    @OptionGroup var daemonStart: DaemonStartSection.Options
    @OptionGroup var daemonPrint: DaemonPrintSection.Options

    func run() throws {
        try BenchSession.run(
            [
                ThroughputSection(options: throughput), StarvationSection(options: starvation), TelemetrySection(options: telemetry),
                DaemonStartSection(options: daemonStart), DaemonPrintSection(options: daemonPrint), MemorySection(options: memory),
            ],
            options: common)
    }
}
