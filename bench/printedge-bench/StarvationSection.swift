import ArgumentParser
import PrintEdgeFixtures

struct StarvationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starvation",
        abstract: "Seconds the simulated planner ran dry on short curved segments at real speed, per flow strategy.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: StarvationSection.Options

    func run() throws {
        try BenchSession.run([StarvationSection(options: options)], options: common)
    }
}

/// Short segments at real speed: 0.25 mm at 3600 mm/min is about 4.2 ms of motion a
/// segment, while one framed line takes about 3 ms on a 115200 baud wire. A host that
/// leaves the wire idle (waiting for each `ok`) lets the planner run dry, and the print
/// stutters and blobs. The figure is the simulator's planner-starved time, read next to
/// the motion time of the segments.
struct StarvationSection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Curved segments in the starvation file.")
        var segments = 2_000

        @Option(name: .customLong("segment-mm"), help: "Length of each segment in mm, at 3600 mm/min (shorter starves sooner).")
        var segmentLengthMM = 0.25

        @Option(name: .customLong("latency-ms"),
                help: "One-way USB latency the simulator adds, in ms (a CH340 or CDC board is about 1, an FTDI chip up to 16).")
        var latencyMilliseconds = 2.0

        func validate() throws {
            if segments < 10 { throw ValidationError("--segments must be at least 10") }
            guard latencyMilliseconds >= 0, latencyMilliseconds <= 100 else {
                throw ValidationError("--latency-ms must be within 0...100")
            }
            guard segmentLengthMM >= 0.01, segmentLengthMM <= 10 else {
                throw ValidationError("--segment-mm must be within 0.01...10")
            }
        }
    }

    static let baud = 115_200
    static let feedrateMMPerMinute = 3_600.0

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let file = context.workspace.path("starvation-\(options.segments).gcode")
        do {
            try SampleGCode.write(
                SampleGCode.curvedSegments(count: options.segments, segmentLengthMM: options.segmentLengthMM,
                                           feedrateMMPerMinute: StarvationSection.feedrateMMPerMinute),
                to: file)
        } catch {
            throw BenchError("cannot write \(file): \(error)")
        }
        let motionSeconds = Double(options.segments) * options.segmentLengthMM
            / (StarvationSection.feedrateMMPerMinute / 60)
        let fileBytes = Workspace.size(of: file) ?? options.segments * 40
        let wireSeconds = Double(fileBytes + options.segments * 12) / (Double(StarvationSection.baud) / 10)

        var table = ResultTable(
            title: "Starvation: \(options.segments) segments of \(Figure.fixed(options.segmentLengthMM, 2)) mm "
                + "at \(Figure.fixed(StarvationSection.feedrateMMPerMinute, 0)) mm/min, \(StarvationSection.baud) baud, "
                + "\(Figure.fixed(options.latencyMilliseconds, 1)) ms USB latency each way, sim --speedup 1",
            reference: [
                "motion time of the segments: \(Figure.fixed(motionSeconds, 2)) s "
                    + "(\(Figure.fixed(motionSeconds / Double(options.segments) * 1000, 2)) ms a segment); "
                    + "wire time of the file: about \(Figure.fixed(wireSeconds, 2)) s; "
                    + "stream s also holds G28 and the travel to the spiral",
                "planner starved = seconds the simulated printer sat with an empty planner and queue between two moves; "
                    + "the aim is 0 for window and advanced-ok",
            ],
            headers: ["flow", "lines/s", "stream s", "motion s", "planner starved s", "starved % of motion", "overrun B",
                      "resends", "notes"])
        for flow in ThroughputSection.strategies {
            var trial = Trial(label: "starvation-\(flow)", file: file, flow: flow, baud: StarvationSection.baud, speedup: 1,
                              timeout: .seconds(60 + 4 * (motionSeconds + wireSeconds)))
            trial.latencyMilliseconds = options.latencyMilliseconds
            let result = context.run(trial)
            let starved = result.simulator?.plannerStarvedSeconds
            table.rows.append([
                flow, Figure.fixed(result.linesPerSecond, 1), Figure.fixed(result.elapsedSeconds, 2),
                Figure.fixed(motionSeconds, 2), Figure.fixed(starved, 3),
                Figure.fixed(starved.map { $0 / motionSeconds * 100 }, 1),
                Figure.count(result.simulator?.overrunBytes), Figure.count(result.resends), result.remarks,
            ])
        }
        return table
    }
}
