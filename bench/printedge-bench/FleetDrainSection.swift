import ArgumentParser
import Glibc
import PrintEdgeStore

/// Draining a fleet backlog: samples buffered in the outbox as the daemon batches them
/// (the telemetry recorder with the default message limits) while the broker was away,
/// then `printedged` connects and publishes them all to a loopback mosquitto. Next to it:
/// `mosquitto_pub -l`, a plain libmosquitto loop in C, publishing the very same bytes, and
/// what making outbox rows durable before publishing costs per call.
struct FleetDrainSection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Samples in the backlog (default 1,000,000; 100,000 with --quick).")
        var drainSamples: Int?

        @Option(help: "The fleet link's max_in_flight for the drain (default 64, the configuration's).")
        var maxInFlight = 64

        func validate() throws {
            if let drainSamples, drainSamples < 1_000 { throw ValidationError("--drain-samples must be 1000 or more") }
            if !(1...32_768).contains(maxInFlight) { throw ValidationError("--max-in-flight must be 1...32768") }
        }
    }

    static let printer = "bench"
    static let fleet = "bench"
    /// 8 channels at 1 sample/s, as the telemetry section's farm printer.
    static let channels: [TelemetryChannel] = [.hotend(0), .bed, .fan(0), .x, .y, .z, .e, .progress]

    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let samples = options.drainSamples ?? (context.quick ? 100_000 : 1_000_000)
        let state = context.workspace.path("fleet-drain.state")
        context.progress("fleet: buffering \(samples) samples in the outbox ...")
        let backlog = try Self.buffer(samples: samples, in: state)
        let broker = try BenchBroker(label: "fleet-drain", context: context)
        defer { broker.process.stop() }

        context.progress("fleet: printedged drains \(backlog.messages) messages (\(Figure.fixed(Double(backlog.bytes) / 1e6, 1)) MB) ...")
        let drain = try drainThroughDaemon(state: state, broker: broker, backlog: backlog, context: context)
        context.progress("fleet: mosquitto_pub -l publishes the same bytes ...")
        let reference = try publishWithMosquittoPub(backlog: backlog, broker: broker, context: context)
        context.progress("fleet: the cost of durability before publishing ...")
        let durability = try Self.durabilityCost(path: context.workspace.temporaryPath("fleet-durability.sqlite"))

        var table = ResultTable(
            title: "Fleet link: draining \(samples) buffered samples (\(backlog.messages) telemetry messages) to a loopback mosquitto",
            reference: [
                "messages as the daemon batches them: 8 channels at 1 Hz, telemetry_max_samples = 500, telemetry_max_age_s = 10 "
                    + "(\(Figure.fixed(Double(samples) / Double(backlog.messages), 0)) samples, \(Figure.fixed(Double(backlog.bytes) / Double(backlog.messages), 0)) bytes a message)",
                "printedged: from the first to the last PUBACK (delivered_at_ms in the outbox), QoS 1, max_in_flight = \(options.maxInFlight); CPU of the whole daemon run",
                "reference: mosquitto_pub -l -q 1 -M \(options.maxInFlight), the same envelopes one per line, start to exit",
                "durability before publishing, per call over \(durability.calls) one-row outbox commits: makeOutboxDurable "
                    + "(one FULL commit, fsyncs the WAL) \(Figure.fixed(durability.syncMS, 2)) ms, checkpoint(TRUNCATE) "
                    + "\(Figure.fixed(durability.checkpointMS, 2)) ms, on top of the commit itself (\(Figure.fixed(durability.commitMS, 2)) ms); "
                    + "the fleet link pays one sync per batch of new rows, none while draining an old backlog",
            ],
            headers: ["publisher", "messages/s", "MB/s", "samples/s", "seconds", "CPU s", "notes"])
        table.rows.append(row("printedged fleet link", drain, samples: samples, notes: drain.notes))
        table.rows.append(row("mosquitto_pub -l", reference, samples: samples, notes: "no store, no envelope building, no delivery marks"))
        return table
    }

    struct Backlog {
        var messages: Int
        var bytes: Int
        /// The envelopes, one per line, as the fleet link publishes them.
        var envelopesPath: String
    }

    struct Run {
        var messages: Int
        var bytes: Int
        var seconds: Double
        var cpuSeconds: Double?
        var notes: String
    }

    private func row(_ label: String, _ run: Run, samples: Int, notes: String) -> [String] {
        [label, Figure.fixed(Double(run.messages) / run.seconds, 0), Figure.fixed(Double(run.bytes) / run.seconds / 1e6, 2),
         Figure.fixed(Double(samples) / run.seconds, 0), Figure.fixed(run.seconds, 2), Figure.fixed(run.cpuSeconds, 2), notes]
    }

    /// Writes `samples` through a `TelemetryRecorder` with fleet messages on, in simulated
    /// time (one second per 8 samples), so the outbox holds what a daemon would have queued.
    private static func buffer(samples: Int, in state: String) throws(BenchError) -> Backlog {
        let store: Store
        do {
            store = try Store(directory: state, feedsFleet: true)
            try store.upsertPrinter(PrinterRecord(id: printer, name: printer, port: "-", profile: "printedge-sim", state: "offline", updatedAtMS: 0))
        } catch {
            throw BenchError("cannot create the drain's store in \(state): \(error)")
        }
        let recorder = TelemetryRecorder(store: store, policy: .init(batchMaxRows: 200, fleetMessages: FleetTelemetryLimits()))
        let startMS = Int64(DaemonHarness.realtimeNanoseconds() / 1_000_000) - Int64(samples / channels.count) * 1000
        try Blocking.run { () async throws(StoreError) in
            var written = 0
            var second: Int64 = 0
            while written < samples {
                let atMS = startMS + second * 1000
                let batch = channels.prefix(samples - written).enumerated().map { index, channel in
                    TelemetrySample(printerID: printer, atMS: atMS, channel: channel,
                                    value: 20 + Double((second * 7 + Int64(index) * 13) % 1000) / 10,
                                    target: index < 2 ? 215 : nil, jobID: 1)
                }
                await recorder.record(batch, atMS: atMS)
                try await recorder.flushIfDue(nowMS: atMS)
                written += batch.count
                second += 1
            }
            // A minute later: every sample's message is due.
            try await recorder.flush(nowMS: startMS + second * 1000 + 60_000)
        }
        let envelopesPath = state + "/envelopes.txt"
        do {
            var lines = ""
            var messages = 0
            var bytes = 0
            var after: Int64 = 0
            while true {
                let page = try store.outbox(printerID: printer, afterSequence: after, limit: 5_000)
                guard let last = page.last else { break }
                for message in page {
                    let envelope = #"{"v":1,"type":"\#(message.kind.rawValue)","printer":"\#(printer)","seq":\#(message.sequence),"at_ms":\#(message.createdAtMS),"data":\#(message.payload)}"#
                    lines += envelope + "\n"
                    bytes += envelope.utf8.count
                    messages += 1
                }
                after = last.sequence
            }
            try Workspace.write(lines, to: envelopesPath)
            return Backlog(messages: messages, bytes: bytes, envelopesPath: envelopesPath)
        } catch let error as StoreError {
            throw BenchError("cannot read the drain's outbox: \(error)")
        } catch {
            throw BenchError("\(error)")
        }
    }

    private func drainThroughDaemon(state: String, broker: BenchBroker, backlog: Backlog, context: BenchContext) throws(BenchError) -> Run {
        let configuration = context.workspace.path("fleet-drain.printedge.toml")
        try Workspace.write(FleetAgentConfiguration.text(
            state: state, brokerPort: broker.port, fleet: Self.fleet, clientID: "bench-drain", printers: [Self.printer],
            extra: "max_in_flight = \(options.maxInFlight)\nstatus_heartbeat_s = 86400"), to: configuration)
        let log = context.workspace.path("fleet-drain.printedged.log")
        let daemon = try ChildProcess(executable: try context.binaries.daemon(), arguments: ["--config", configuration],
                                      outputPath: context.workspace.path("fleet-drain.printedged.out"), errorPath: log)
        let store: Store
        do {
            store = try Store(path: state + "/" + Store.fileName)
        } catch {
            daemon.stop()
            throw BenchError("cannot open the drain's store: \(error)")
        }
        let deadline = ContinuousClock.now + .seconds(600)
        var undelivered = backlog.messages
        while undelivered > 0 {
            if let outcome = daemon.poll() {
                throw BenchError("printedged exited \(outcome.status) while draining: \(Workspace.lastLine(of: log) ?? "no message")")
            }
            if ContinuousClock.now >= deadline || context.interruption.isRequested {
                daemon.stop()
                throw BenchError("the drain did not finish within 600 s: \(undelivered) messages left (\(log))")
            }
            Sleep.milliseconds(100)
            undelivered = (try? store.outboxBacklog(printerID: Self.printer))?.waiting ?? undelivered
        }
        let outcome = daemon.stop()
        do {
            var first = Int64.max
            var last = Int64.min
            var after: Int64 = 0
            while true {
                let page = try store.outbox(printerID: Self.printer, afterSequence: after, limit: 5_000)
                guard let end = page.last else { break }
                for message in page where message.kind == .telemetry {
                    guard let delivered = message.deliveredAtMS else { continue }
                    first = min(first, delivered)
                    last = max(last, delivered)
                }
                after = end.sequence
            }
            let seconds = max(Double(last - first) / 1000, 0.001)
            return Run(messages: backlog.messages, bytes: backlog.bytes, seconds: seconds, cpuSeconds: outcome.cpuSeconds,
                       notes: "includes reading the outbox, one fsync, envelopes, delivery marks in batches")
        } catch {
            throw BenchError("cannot read the delivery times: \(error)")
        }
    }

    private func publishWithMosquittoPub(backlog: Backlog, broker: BenchBroker, context: BenchContext) throws(BenchError) -> Run {
        let command = "exec /usr/bin/mosquitto_pub -h 127.0.0.1 -p \(broker.port) -q 1 -M \(options.maxInFlight) "
            + "-t printedge/v1/\(Self.fleet)/reference/telemetry -l < '\(backlog.envelopesPath)'"
        let publisher = try ChildProcess(executable: "/bin/sh", arguments: ["-c", command],
                                         outputPath: context.workspace.path("fleet-drain.mosquitto_pub.out"),
                                         errorPath: context.workspace.path("fleet-drain.mosquitto_pub.log"))
        guard let outcome = publisher.wait(timeout: .seconds(600), interruption: context.interruption) else {
            publisher.stop()
            throw BenchError("mosquitto_pub did not finish within 600 s")
        }
        guard outcome.status == 0 else {
            throw BenchError("mosquitto_pub exited \(outcome.status): \(Workspace.lastLine(of: context.workspace.path("fleet-drain.mosquitto_pub.log")) ?? "no message")")
        }
        return Run(messages: backlog.messages, bytes: backlog.bytes, seconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                   notes: "")
    }

    /// Milliseconds per call: a one-row outbox commit alone, followed by `makeOutboxDurable`,
    /// and followed by a checkpoint.
    private static func durabilityCost(path: String) throws(BenchError) -> (calls: Int, commitMS: Double, syncMS: Double, checkpointMS: Double) {
        let calls = 200
        defer { for suffix in ["-wal", "-shm"] { unlink(path + suffix) } }
        do {
            let store = try Store(path: path)
            try store.upsertPrinter(PrinterRecord(id: printer, name: printer, port: "-", profile: "-", state: "idle", updatedAtMS: 0))
            func timed(_ step: () throws(StoreError) -> Void) throws(StoreError) -> Double {
                let start = ContinuousClock.now
                for index in 0..<calls {
                    try store.appendOutbox(printerID: printer, kind: .status, payload: #"{"n":\#(index)}"#, atMS: Int64(index))
                    try step()
                }
                return (ContinuousClock.now - start).seconds * 1000 / Double(calls)
            }
            let commit = try timed {}
            let sync = try timed { () throws(StoreError) in _ = try store.makeOutboxDurable(atMS: 0) }
            let checkpoint = try timed { () throws(StoreError) in try store.checkpoint() }
            return (calls, commit, sync - commit, checkpoint - commit)
        } catch {
            throw BenchError("durability measurement failed: \(error)")
        }
    }
}
