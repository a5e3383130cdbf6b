import PrintEdgeAgent
import PrintEdgeControl
import PrintEdgeCore
import Prometheus
import Synchronization

/// One printer's series on `/metrics` (docs/metrics.md): what its link counts, fed by its
/// actor from the link's own events, and what its status says, set at each scrape.
///
/// The link's counters (`StreamProgress`) start again at zero with every connection; here
/// they accumulate across reconnects, as Prometheus counters must, by adding each report's
/// increase over the last one of the same connection. Heater series exist only while the
/// link is up: a temperature from a link that ended would read as current.
///
/// Every label is bounded: the printer's id, a heater's short name (`T0`, `B`), an outcome,
/// a kind, a state. Never a file name, a job id or a port path.
final class PrinterMetrics: Sendable {
    let printerID: String
    let profile: String
    private let registry: PrometheusCollectorRegistry

    private let linesSent: Counter
    private let linesAcknowledged: Counter
    private let bytesSent: Counter
    private let retransmittedLines: Counter
    private let resendRequests: Counter
    private let timeouts: Counter
    private let replyLatency: DurationHistogram
    private let firmwareErrors: [FirmwareErrorKind: Counter]
    private let jobs: [JobState: Counter]
    private let extruded: Counter
    private let states: [PrinterState: Gauge]

    /// What the scrapes and the events share: baselines, and the series that come and go.
    private struct Live {
        /// The last counters of the current connection; `nil` until its first report.
        var lastProgress: StreamProgress?
        /// Filament of the current job counted so far (its most, net of retractions).
        var jobExtrudedMM = 0.0
        var heaters: [String: HeaterSeries] = [:]
        var firmware: String?
        var info: Gauge?
        var job: JobSeries?
    }

    private struct HeaterSeries {
        var temperature: Gauge
        var target: Gauge?
        var duty: Gauge?
    }

    private struct JobSeries {
        var progress: Gauge
        var start: Gauge
        var end: Gauge?
    }

    private let live = Mutex(Live())

    /// Heater names are Marlin's sensor letters and tool numbers (`T0`, `B`, `C`, `P`); a
    /// reply with other names is ignored beyond this many, so a garbled line cannot grow the
    /// series without bound.
    static let maxHeaters = 16

    /// `@:` is Marlin's soft PWM amount, 0…127 (the PID output halved, `Temperature::getHeaterPower`).
    static let fullHeaterPower = 127.0

    /// Why the firmware or the link failed, as `printedge_firmware_errors_total{kind}` counts them.
    enum FirmwareErrorKind: String, CaseIterable, Sendable {
        /// A line arrived damaged or out of order (checksum, line number): it was sent again.
        case line
        /// `Error:Printer halted` / `Error:Printer stopped`: the firmware stopped everything.
        case halted
        /// MINTEMP, MAXTEMP, thermal runaway, heating failed.
        case thermal
        /// `start` in the middle of a connection: the board reset.
        case reset
        /// Any other `Error:` line.
        case other
    }

    init(printerID: String, profile: String, registry: PrometheusCollectorRegistry) {
        self.printerID = printerID
        self.profile = profile
        self.registry = registry
        let printer = [("printer", printerID)]
        func counter(_ subsystem: String, _ name: String, _ unit: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
            registry.makeCounter(descriptor: .init(namespace: "printedge", subsystem: subsystem, metricName: name, unitName: unit, helpText: help),
                                 labels: printer + labels)
        }
        linesSent = counter("serial", "lines_sent", "total", "G-code lines written to the printer, each once (retransmissions are counted apart).")
        linesAcknowledged = counter("serial", "lines_acknowledged", "total", "Job lines the firmware has taken (acknowledged with ok).")
        bytesSent = counter("serial", "sent_bytes", "total", "Bytes written to the printer's port, retransmissions and handshakes included.")
        retransmittedLines = counter("serial", "retransmitted_lines", "total", "Lines written again after a resend request or a timeout.")
        resendRequests = counter("serial", "resend_requests", "total", "Resend requests from the firmware that rewound the stream (a damaged or lost line).")
        timeouts = counter("serial", "timeouts", "total", "Times the printer stayed silent with lines awaited, and the oldest was sent again.")
        replyLatency = registry.makeDurationHistogram(
            descriptor: .init(namespace: "printedge", subsystem: "serial", metricName: "reply_latency", unitName: "seconds",
                              helpText: "From a line handed to the port to its ok: the wire and the firmware's queue."),
            labels: printer, buckets: ReplyLatencyHistogram.bounds)
        firmwareErrors = Dictionary(uniqueKeysWithValues: FirmwareErrorKind.allCases.map { kind in
            (kind, counter("firmware", "errors", "total", "Errors the firmware reported, by kind: line, halted, thermal, reset, other.",
                           [("kind", kind.rawValue)]))
        })
        jobs = Dictionary(uniqueKeysWithValues: [JobState.completed, .failed, .cancelled, .aborted, .interrupted].map { outcome in
            (outcome, counter("", "jobs", "total", "Jobs that ended on this printer, by outcome: completed, failed, cancelled, aborted (emergency stop), interrupted (the daemon stopped).",
                              [("outcome", outcome.rawValue)]))
        })
        extruded = counter("", "extruded_filament", "meters_total", "Filament the printer's acknowledged job lines fed, net of retractions, as the G-code commands it.")
        states = Dictionary(uniqueKeysWithValues: PrinterState.allCases.map { state in
            (state, registry.makeGauge(
                descriptor: .init(namespace: "printedge", subsystem: "printer", metricName: "state", unitName: "",
                                  helpText: "1 for the state the printer is in, 0 for the others."),
                labels: printer + [("state", state.rawValue)]))
        })
        states[.offline]?.set(to: 1)
    }

    // MARK: - Events from the printer's actor

    /// An event from the printer's link, as its actor handles it.
    func observe(_ event: PrinterConnection.Event) {
        switch event {
        case .ready(let info, _, _, _):
            live.withLock { state in
                state.lastProgress = nil
                if let firmware = info?.firmwareName, firmware != state.firmware {
                    state.firmware = firmware
                    setInfo(&state)
                }
            }
        case .linkProgress(let progress, _):
            count(progress)
        case .temperature(let report):
            record(report)
        case .firmwareError:
            firmwareErrors[.other]?.increment()
        case .jobProgress(let progress), .layerReached(_, let progress), .jobPaused(_, let progress), .jobCompleted(let progress),
             .jobCancelled(let progress), .jobFailed(_, let progress):
            countExtrusion(progress)
        default:
            break
        }
    }

    /// The job ended, recorded as `outcome`.
    func jobEnded(_ outcome: JobState) {
        jobs[outcome]?.increment()
        live.withLock { $0.jobExtrudedMM = 0 }
    }

    /// The link ended: why, for the error counters; its heaters' series go.
    func linkEnded(_ ending: PrinterConnection.Ending) {
        if case .failed(.protocolFailure(let error)) = ending {
            switch error {
            case .printerHalted: firmwareErrors[.halted]?.increment()
            case .thermalError: firmwareErrors[.thermal]?.increment()
            case .firmwareReset: firmwareErrors[.reset]?.increment()
            default: break
            }
        }
        live.withLock { state in
            state.lastProgress = nil
            for heater in state.heaters.values {
                for gauge in [heater.temperature, heater.target, heater.duty].compactMap({ $0 }) { registry.unregisterGauge(gauge) }
            }
            state.heaters.removeAll()
        }
    }

    private func count(_ progress: StreamProgress) {
        let last = live.withLock { state in
            defer { state.lastProgress = progress }
            return state.lastProgress ?? StreamProgress()
        }
        func add(_ counter: Counter, _ now: Int, _ before: Int) {
            if now > before { counter.increment(by: Int64(now - before)) }
        }
        add(linesSent, progress.linesSent, last.linesSent)
        add(linesAcknowledged, progress.linesAcknowledged, last.linesAcknowledged)
        add(bytesSent, progress.bytesSent, last.bytesSent)
        add(retransmittedLines, progress.retransmittedLines, last.retransmittedLines)
        add(resendRequests, progress.resendRequests, last.resendRequests)
        add(timeouts, progress.timeouts, last.timeouts)
        if let line = firmwareErrors[.line] { add(line, progress.lineErrors, last.lineErrors) }
        replay(progress.replyLatency, since: last.replyLatency)
    }

    /// Adds the observations made since `last` to the histogram. Each bucket's new ones are
    /// recorded at their mean, which lies within the bucket: counts stay exact, and so does
    /// the sum, to a nanosecond per observation.
    private func replay(_ histogram: ReplyLatencyHistogram, since last: ReplyLatencyHistogram) {
        for bucket in histogram.counts.indices {
            let added = histogram.counts[bucket] - last.counts[bucket]
            guard added > 0 else { continue }
            let mean = Duration.nanoseconds((histogram.sumsNanoseconds[bucket] &- last.sumsNanoseconds[bucket]) / Int64(added))
            for _ in 0..<added { replyLatency.record(mean) }
        }
    }

    private func countExtrusion(_ progress: PrinterConnection.JobProgress) {
        let addedMM = live.withLock { state -> Double in
            guard progress.extrudedMM > state.jobExtrudedMM else { return 0 }
            defer { state.jobExtrudedMM = progress.extrudedMM }
            return progress.extrudedMM - state.jobExtrudedMM
        }
        if addedMM > 0 { extruded.increment(by: addedMM / 1000) }
    }

    private func record(_ report: TemperatureReport) {
        let readings = HeaterTemperature.readings(in: report)
        live.withLock { state in
            for reading in readings {
                let name = reading.channel.rawValue
                guard name.utf8.count <= 3, name.utf8.allSatisfy({ $0 < 0x80 && ($0 >= 0x30 && $0 <= 0x39 || $0 >= 0x41 && $0 <= 0x5A) }),
                      state.heaters[name] != nil || state.heaters.count < Self.maxHeaters else { continue }
                var series = state.heaters[name] ?? HeaterSeries(temperature: heaterGauge("temperature", "celsius", name,
                    "The heater's measured temperature, as the firmware reports it (M105, M155)."))
                series.temperature.set(to: reading.actualCelsius)
                if let target = reading.targetCelsius {
                    series.target = series.target ?? heaterGauge("target", "celsius", name, "The temperature the heater is set to reach; 0 is off.")
                    series.target?.set(to: target)
                }
                if let power = Self.power(of: name, in: report) {
                    series.duty = series.duty ?? heaterGauge("duty", "ratio", name,
                        "The share of full power the firmware drives the heater with (Marlin's @: over 127), where it reports it.")
                    series.duty?.set(to: min(1, max(0, Double(power) / Self.fullHeaterPower)))
                }
                state.heaters[name] = series
            }
        }
    }

    private func heaterGauge(_ name: String, _ unit: String, _ heater: String, _ help: String) -> Gauge {
        registry.makeGauge(descriptor: .init(namespace: "printedge", subsystem: "heater", metricName: name, unitName: unit, helpText: help),
                           labels: [("printer", printerID), ("heater", heater)])
    }

    /// The `@` figure of heater `name`: `B@:` for the bed, `@0:` for tool 0, and `@:` (the
    /// active tool) for a single hotend, which reports no `@0:`.
    static func power(of name: String, in report: TemperatureReport) -> Int? {
        switch name {
        case "T0": report.power["@0"] ?? report.power["@"]
        case _ where name.hasPrefix("T"): report.power["@" + name.dropFirst()]
        default: report.power[name + "@"]
        }
    }

    // MARK: - At each scrape

    /// The printer's status as it is now; `jobStartedAtMS`: when its job started.
    func refresh(_ status: PrinterStatus, jobStartedAtMS: Int64?, nowMS: Int64) {
        for (state, gauge) in states { gauge.set(to: state.rawValue == status.state ? 1 : 0) }
        live.withLock { state in
            if state.info == nil { setInfo(&state) }
            guard let job = status.job else {
                if let series = state.job {
                    for gauge in [series.progress, series.start, series.end].compactMap({ $0 }) { registry.unregisterGauge(gauge) }
                    state.job = nil
                }
                return
            }
            var series = state.job ?? JobSeries(
                progress: jobGauge("progress", "ratio", "The running job's share of its file the printer has taken, by bytes (0 to 1)."),
                start: jobGauge("start", "timestamp_seconds", "When the running job started (Unix time)."))
            series.progress.set(to: job.fraction)
            if let startedAtMS = jobStartedAtMS { series.start.set(to: Double(startedAtMS) / 1000) }
            if let eta = job.etaSeconds {
                series.end = series.end ?? jobGauge("estimated_end", "timestamp_seconds",
                                                    "When the running job should end at the pace it has printed so far (Unix time).")
                series.end?.set(to: Double(nowMS) / 1000 + eta)
            }
            state.job = series
        }
    }

    private func jobGauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
        registry.makeGauge(descriptor: .init(namespace: "printedge", subsystem: "job", metricName: name, unitName: unit, helpText: help),
                           labels: [("printer", printerID)])
    }

    /// `printedge_printer_info{printer,profile,firmware} 1`, with the firmware last seen
    /// (empty until the first handshake): the one series the others join on for these labels.
    private func setInfo(_ state: inout Live) {
        if let old = state.info { registry.unregisterGauge(old) }
        let info = registry.makeGauge(
            descriptor: .init(namespace: "printedge", subsystem: "printer", metricName: "info", unitName: "",
                              helpText: "1, labelled with the printer's profile and the firmware its last handshake named."),
            labels: [("printer", printerID), ("profile", profile), ("firmware", state.firmware ?? "")])
        info.set(to: 1)
        state.info = info
    }
}
