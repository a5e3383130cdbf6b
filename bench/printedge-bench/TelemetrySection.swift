import ArgumentParser
import Dispatch
import Glibc
import PrintEdgeStore

struct TelemetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry",
        abstract: "Telemetry ingest into SQLite: rows/s and CPU per row, next to a farm host's load.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: TelemetrySection.Options

    func run() throws {
        try BenchSession.run([TelemetrySection(options: options)], options: common)
    }
}

/// How fast samples reach SQLite (WAL, the daemon's own schema and statements) by the three
/// paths that matter: a backlog written in one transaction, the daemon's batches into a
/// table that already holds history, and one recorder call per sample as a printer's actor
/// makes them. Bytes per row turn `max_database_mb` into hours of history.
struct TelemetrySection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Rows already in the table before the batched run (default 1,000,000; 100,000 with --quick).")
        var historyRows: Int?

        func validate() throws {
            if let historyRows, historyRows < 0 { throw ValidationError("--history-rows must be 0 or more") }
        }
    }

    /// What a busy farm host records: 8 printers, 8 channels each (hotend, bed, fan, X, Y,
    /// Z, E, progress), once a second while printing — the configuration's default rate.
    static let farmRowsPerSecond = 8.0 * 8.0
    static let batchRows = 200
    static let channels: [TelemetryChannel] = [.hotend(0), .bed, .fan(0), .x, .y, .z, .e, .progress]

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let history = options.historyRows ?? (context.quick ? 100_000 : 1_000_000)
        let rows = context.quick ? 50_000 : 200_000
        let path = context.workspace.temporaryPath("telemetry.sqlite")
        defer {
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
        }
        let store: Store
        do {
            store = try Store(path: path)
            try store.upsertPrinter(PrinterRecord(id: "bench", name: "bench", port: "-", profile: "-", state: "idle", updatedAtMS: 0))
        } catch {
            throw BenchError("cannot create \(path): \(error)")
        }
        var clock = SampleClock()
        var table = ResultTable(
            title: "Telemetry ingest: SQLite (WAL) through the daemon's store, \(rows) rows per run",
            reference: [
                "load: a farm host with 8 printers x 8 channels at 1 sample/s = \(Figure.fixed(TelemetrySection.farmRowsPerSecond, 0)) rows/s; "
                    + "headroom = rows/s over that load",
                "CPU us/row: user + system time of the bench process per row written",
            ],
            headers: ["path", "rows/s", "CPU us/row", "headroom x", "notes"])

        context.progress("telemetry: \(rows) rows in one transaction ...")
        let single = try Self.timed(rows: rows) { () throws(BenchError) in
            try Self.append(clock.samples(rows), to: store)
        }
        table.rows.append(row("backlog, one transaction", single, notes: "a drained recorder buffer"))

        context.progress("telemetry: \(history) rows of history, then \(rows) in batches of \(Self.batchRows) ...")
        var filled = 0
        while filled < history {
            let count = min(100_000, history - filled)
            try Self.append(clock.samples(count), to: store)
            filled += count
        }
        let batched = try Self.timed(rows: rows) { () throws(BenchError) in
            for _ in 0..<(rows / Self.batchRows) {
                try Self.append(clock.samples(Self.batchRows), to: store)
            }
        }
        table.rows.append(row("batches of \(Self.batchRows)", batched, notes: "over \(history + rows) rows of history (batch_max_rows)"))

        context.progress("telemetry: \(rows) samples through TelemetryRecorder, one call each ...")
        let recorder = TelemetryRecorder(store: store, policy: .init(batchMaxRows: Self.batchRows))
        let samples = clock.samples(rows)
        let recorded = try Self.timed(rows: rows) { () throws(BenchError) in
            try Blocking.run { () async throws(StoreError) in
                for sample in samples {
                    await recorder.record(sample, atMS: sample.atMS)
                    try await recorder.flushIfDue(nowMS: sample.atMS)
                }
                try await recorder.flush(nowMS: .max)
            }
        }
        table.rows.append(row("recorder, per sample", recorded, notes: "the printer actor's path: an actor hop per sample"))

        do {
            try store.checkpoint()
            let bytes = try store.databaseBytes()
            let total = history + 3 * rows
            let perRow = Double(bytes) / Double(total)
            let hours = 512e6 / perRow / TelemetrySection.farmRowsPerSecond / 3600
            table.reference.append(
                "size: \(Figure.fixed(perRow, 1)) bytes/row with indexes (\(total) rows, \(Figure.fixed(Double(bytes) / 1e6, 1)) MB): "
                    + "the default max_database_mb = 512 holds \(Figure.fixed(hours, 0)) h of that farm's telemetry")
        } catch {
            context.progress("telemetry: cannot measure the database size: \(error)")
        }
        return table
    }

    private func row(_ label: String, _ run: Measurement, notes: String) -> [String] {
        let rate = Double(run.rows) / run.seconds
        return [label, Figure.fixed(rate, 0), Figure.fixed(run.cpuSeconds / Double(run.rows) * 1e6, 2),
                Figure.fixed(rate / TelemetrySection.farmRowsPerSecond, 0), notes]
    }

    private static func append(_ samples: [TelemetrySample], to store: Store) throws(BenchError) {
        do {
            try store.appendTelemetry(samples)
        } catch {
            throw BenchError("telemetry insert failed: \(error)")
        }
    }

    private struct Measurement {
        var rows: Int
        var seconds: Double
        var cpuSeconds: Double
    }

    private static func timed(rows: Int, _ body: () throws(BenchError) -> Void) throws(BenchError) -> Measurement {
        let cpuBefore = ProcessCPU.seconds()
        let start = ContinuousClock.now
        try body()
        let seconds = (ContinuousClock.now - start).seconds
        return Measurement(rows: rows, seconds: seconds, cpuSeconds: ProcessCPU.seconds() - cpuBefore)
    }
}

/// Samples as a printing printer produces them: every channel once per simulated second,
/// with values that change, so SQLite stores realistic numbers rather than repeats.
private struct SampleClock {
    private var second: Int64 = 1_800_000_000

    mutating func samples(_ count: Int) -> [TelemetrySample] {
        var samples: [TelemetrySample] = []
        samples.reserveCapacity(count)
        while samples.count < count {
            second += 1
            for (index, channel) in TelemetrySection.channels.enumerated() where samples.count < count {
                let value = 200 + Double((second &* 7 &+ Int64(index)) % 1000) / 100
                samples.append(TelemetrySample(
                    printerID: "bench", atMS: second * 1000, channel: channel, value: value,
                    target: index < 2 ? 210 : nil, jobID: nil))
            }
        }
        return samples
    }
}

/// This process's user + system CPU seconds so far.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
