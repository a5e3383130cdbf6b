#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeConfig
import PrintEdgeStore
import Prometheus
import Synchronization

/// Everything `/metrics` shows (docs/metrics.md): one registry per daemon, each printer's
/// series (`PrinterMetrics`, fed by its actor) and the agent's own, most of which are read at
/// each scrape from what the control socket's `status` reads too (the store, the fleet link's
/// monitor, the telemetry recorder), never kept a second time.
///
/// Families are registered on swift-prometheus's registry directly, each with its `# HELP`:
/// its swift-metrics factory registers none, and `promtool check metrics` refuses a family
/// without one.
final class DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let printers: [String: PrinterMetrics]
    private let hasFleetLink: Bool
    private let telemetryWrite: DurationHistogram
    private let telemetryWritten: MirroredCounter
    private let telemetryDropped: MirroredCounter
    private let telemetryBuffered: Gauge
    private let databaseSize: Gauge
    private let diskAvailable: Gauge
    private let diskSize: Gauge
    private let mqttConnected: Gauge?
    private let mqttInFlight: Gauge?
    private let mqttReconnects: MirroredCounter?
    private let mqttPublished: MirroredCounter?
    private let mqttAcknowledged: MirroredCounter?
    private let mqttRefused: MirroredCounter?
    private let outbox: [String: (waiting: Gauge, oldestAge: Gauge, refused: Gauge)]

    /// Telemetry batches take milliseconds on an SSD and up to seconds on a tired SD card.
    static let telemetryWriteBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    init(configuration: DaemonConfiguration) {
        let registry = self.registry
        func gauge(_ subsystem: String, _ name: String, _ unit: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
            registry.makeGauge(descriptor: Self.descriptor(subsystem, name, unit, help), labels: labels)
        }
        func counter(_ subsystem: String, _ name: String, _ unit: String, _ help: String) -> MirroredCounter {
            MirroredCounter(registry.makeCounter(descriptor: Self.descriptor(subsystem, name, unit, help), labels: []))
        }
        printers = Dictionary(uniqueKeysWithValues: configuration.printers.map {
            ($0.id, PrinterMetrics(printerID: $0.id, profile: $0.profile.name, registry: registry))
        })
        hasFleetLink = configuration.mqtt != nil
        telemetryWrite = registry.makeDurationHistogram(
            descriptor: Self.descriptor("telemetry", "write_duration", "seconds", "How long each telemetry batch's transaction took, failed ones included."),
            labels: [], buckets: Self.telemetryWriteBuckets)
        telemetryWritten = counter("telemetry", "written_samples", "total", "Telemetry samples written to the database.")
        telemetryDropped = counter("telemetry", "dropped_samples", "total", "Telemetry samples dropped, oldest first, while the database refused writes for longer than the buffer holds.")
        telemetryBuffered = gauge("telemetry", "buffered_samples", "", "Telemetry samples waiting in memory to be written.")
        databaseSize = gauge("database", "size", "bytes", "The database file's size as SQLite counts it (pages × page size), without its WAL.")
        if let limit = configuration.retention.databaseHardLimitBytes {
            gauge("database", "hard_limit", "bytes", "The size the database never grows past ([retention] database_hard_limit_mb): reaching it is a full disk.")
                .set(to: Double(limit))
        }
        diskAvailable = gauge("disk", "available", "bytes", "Free space on the state directory's filesystem, as the daemon's user may use it.")
        diskSize = gauge("disk", "size", "bytes", "The size of the state directory's filesystem.")
        gauge("", "build", "info", "1, labelled with what this build speaks: the MQTT envelope's schema version.",
              [("mqtt_schema", String(FleetEnvelope.schemaVersion))]).set(to: 1)
        if hasFleetLink {
            mqttConnected = gauge("mqtt", "connected", "", "1 while the fleet link is connected to its broker, else 0.")
            mqttInFlight = gauge("mqtt", "in_flight_messages", "", "Messages published on this connection the broker has not acknowledged yet.")
            mqttReconnects = counter("mqtt", "reconnects", "total", "Connections to the broker after the first one.")
            mqttPublished = counter("mqtt", "published_messages", "total", "Outbox messages published (QoS 1), again after a reconnect included.")
            mqttAcknowledged = counter("mqtt", "acknowledged_messages", "total", "Published messages the broker acknowledged (PUBACK).")
            mqttRefused = counter("mqtt", "refused_messages", "total", "Published messages the broker refused for good (set aside until `printedge fleet retry`).")
            outbox = Dictionary(uniqueKeysWithValues: configuration.printers.map { printer in
                let labels = [("printer", printer.id)]
                return (printer.id, (
                    waiting: gauge("outbox", "messages", "", "Fleet messages of the printer waiting to be published.", labels),
                    oldestAge: gauge("outbox", "oldest_message_age", "seconds", "How long the oldest waiting fleet message of the printer has waited; 0 when none waits.", labels),
                    refused: gauge("outbox", "refused_messages", "", "Fleet messages of the printer the broker refused, kept until `printedge fleet retry`.", labels)))
            })
        } else {
            (mqttConnected, mqttInFlight, mqttReconnects, mqttPublished, mqttAcknowledged, mqttRefused) = (nil, nil, nil, nil, nil, nil)
            outbox = [:]
        }
    }

    /// Given to the telemetry recorder: each batch's write time.
    var telemetryWriteObserver: @Sendable (Duration) -> Void {
        { [telemetryWrite] in telemetryWrite.record($0) }
    }

    /// What a scrape reads, once the daemon is built.
    struct Sources: Sendable {
        var printers: [Printer]
        var store: Store
        var telemetry: TelemetryRecorder
        var fleetLink: FleetLinkMonitor?
        var stateDirectory: String
    }

    /// Brings every series read from elsewhere up to date, then renders the registry in the
    /// Prometheus text format (version 0.0.4).
    func exposition(from sources: Sources) async -> [UInt8] {
        let nowMS = WallClock.nowMS()
        for printer in sources.printers {
            let status = await printer.status()
            let startedAtMS = status.job.flatMap { job in (try? sources.store.job(id: job.id))?.startedAtMS }
            printers[status.id]?.refresh(status, jobStartedAtMS: startedAtMS, nowMS: nowMS)
        }
        telemetryWritten.follow(await sources.telemetry.writtenTotal)
        telemetryDropped.follow(await sources.telemetry.droppedTotal)
        telemetryBuffered.set(to: Double(await sources.telemetry.bufferedCount))
        if let bytes = try? sources.store.databaseBytes() { databaseSize.set(to: Double(bytes)) }
        var info = statvfs()
        if statvfs(sources.stateDirectory, &info) == 0 {
            diskAvailable.set(to: Double(info.f_bavail) * Double(info.f_frsize))
            diskSize.set(to: Double(info.f_blocks) * Double(info.f_frsize))
        }
        if let monitor = sources.fleetLink {
            let status = monitor.status
            let counters = monitor.counters
            mqttConnected?.set(to: status.state == "connected" ? 1 : 0)
            mqttInFlight?.set(to: Double(status.inFlight))
            mqttReconnects?.follow(max(0, counters.connections - 1))
            mqttPublished?.follow(counters.published)
            mqttAcknowledged?.follow(counters.acknowledged)
            mqttRefused?.follow(status.refusedSinceStart)
        }
        for printerID in printers.keys {
            refreshCalibrations(of: printerID, from: sources.store)
        }
        for (printerID, series) in outbox {
            guard let backlog = try? sources.store.outboxBacklog(printerID: printerID) else { continue }
            series.waiting.set(to: Double(backlog.waiting))
            series.refused.set(to: Double(backlog.refused))
            series.oldestAge.set(to: backlog.oldestWaitingAtMS.map { max(0, Double(nowMS - $0) / 1000) } ?? 0)
        }
        return registry.emitToBuffer()
    }

    /// A `printedge_<subsystem>_<name>_<unit>` family with its `# HELP`.
    private static func descriptor(_ subsystem: String, _ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        .init(namespace: "printedge", subsystem: subsystem, metricName: name, unitName: unit, helpText: help)
    }

    /// Per printer and calibration kind with a completed run: when the latest ended, and
    /// whether a later run made it stale (tramming → Z offset → mesh), as `printedge status`
    /// says. The kinds are the calibrate command's few, so the labels stay bounded; a series
    /// appears with the kind's first completed run.
    private func refreshCalibrations(of printerID: String, from store: Store) {
        guard let standings = try? store.calibrationStandings(printerID: printerID) else { return }
        for standing in standings {
            let labels = [("printer", printerID), ("kind", standing.kind)]
            registry.makeGauge(
                descriptor: Self.descriptor("calibration", "last_completed", "timestamp_seconds",
                                            "When the printer's latest completed calibration of the kind ended (Unix time)."),
                labels: labels
            ).set(to: Double(standing.atMS) / 1000)
            registry.makeGauge(
                descriptor: Self.descriptor("calibration", "stale", "",
                                            "1 when a later calibration made the kind's latest result stale (tramming makes the Z offset stale, the Z offset the mesh), else 0."),
                labels: labels
            ).set(to: standing.isStale ? 1 : 0)
        }
    }
}

/// A counter that follows a total kept elsewhere (the fleet link's monitor, the telemetry
/// recorder): each scrape adds what the total grew by since the last one.
final class MirroredCounter: Sendable {
    private let counter: Counter
    private let followed = Mutex(0)

    init(_ counter: Counter) {
        self.counter = counter
    }

    func follow(_ total: Int) {
        let added = followed.withLock { last in
            defer { last = max(last, total) }
            return total - last
        }
        if added > 0 { counter.increment(by: Int64(added)) }
    }
}
