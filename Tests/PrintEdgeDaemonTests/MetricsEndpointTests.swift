import Foundation
import PrintEdgeConfig
import PrintEdgeControl
@testable import PrintEdgeDaemon
import PrintEdgeStore
import PrintEdgeTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// `/metrics` and `/healthz` of a daemon in this process, through real HTTP requests to its
/// listener, while its virtual printer prints.
@Suite struct MetricsEndpointTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    private static let printer = """
        [[printer]]
        id = "sim"
        virtual = true
        speedup = 100
        """

    /// A printer in real time, so that its job is still printing when a scrape comes however
    /// long the machine keeps the test from looking: the test cancels it once it has seen it.
    private static let realTimePrinter = """
        [[printer]]
        id = "sim"
        virtual = true
        speedup = 1
        """

    /// Moves that feed filament, a minute of them at 10 mm/s.
    private static var job: [String] {
        ["G28", "M104 S200", "M140 S60", "G90", "M83"] + (1...600).map { "G1 X\(10 + $0 % 100) Y\(10 + $0 / 4) E0.05 F600" }
    }

    private static func listening(token: String? = nil) -> (inout DaemonConfiguration) -> Void {
        { $0.http = HTTPSettings(listen: .address(host: "127.0.0.1", port: 0), bearerTokenFile: token) }
    }

    private static func get(_ port: Int, _ path: String, headers: [String: String] = [:]) async throws -> HTTPFetch.Response {
        try await DedicatedThread.run { Result { try HTTPFetch.get(port: port, path: path, headers: headers) } }.get()
    }

    /// `name{labels} value` lines of the exposition, keyed by everything before the value.
    private static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed (Debian's prometheus package)"))
    func aScrapeWhilePrintingIsValidPrometheusTextThatShowsThePrint() async throws {
        let scratch = try TemporaryDirectory()
        try await DaemonUnderTest.with(in: scratch, configuration: Self.realTimePrinter, adjust: Self.listening()) { daemon in
            let port = try await #require(daemon.daemon.httpListener).listeningPort()
            try await daemon.waitUntil("printer sim is idle") { try await daemon.status(of: "sim").state == "idle" }
            let id = try await daemon.submit(Self.job, printer: "sim", in: scratch)
            try await daemon.expectOK("jobs.start", job: id)
            var scrape: HTTPFetch.Response?
            try await daemon.waitUntil("a scrape shows the job printing past its first moves") {
                let latest = try await Self.get(port, "/metrics")
                scrape = latest
                let samples = Self.samples(latest.text)
                return samples[#"printedge_printer_state{printer="sim",state="printing"}"#] == 1
                    && (samples[#"printedge_serial_lines_acknowledged_total{printer="sim"}"#] ?? 0) > 20
                    && (samples[#"printedge_extruded_filament_meters_total{printer="sim"}"#] ?? 0) > 0
                    // The first temperature report may come after the first moves on a busy machine.
                    && samples[#"printedge_heater_duty_ratio{printer="sim",heater="B"}"#] != nil
            }
            let scraped = try #require(scrape)
            #expect(scraped.status == 200)
            #expect(scraped.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let checked = try await ToolRun(Self.promtool!, ["check", "metrics"], input: scraped.text, limit: .seconds(60))
            #expect(checked.status == 0, "promtool check metrics: \(checked.standardOutput)\(checked.standardError)\n\(scraped.text)")

            let samples = Self.samples(scraped.text)
            #expect(samples[#"printedge_printer_info{printer="sim",profile="printedge-sim",firmware="Marlin 2.1.2.5 (printedge-sim)"}"#] == 1,
                    "\(scraped.text)")
            #expect(samples[#"printedge_printer_state{printer="sim",state="idle"}"#] == 0)
            #expect(samples[#"printedge_heater_temperature_celsius{printer="sim",heater="T0"}"#] != nil)
            #expect(samples[#"printedge_heater_target_celsius{printer="sim",heater="T0"}"#] == 200)
            #expect(samples[#"printedge_heater_duty_ratio{printer="sim",heater="B"}"#] != nil)
            #expect((samples[#"printedge_job_progress_ratio{printer="sim"}"#] ?? -1) > 0)
            #expect((samples[#"printedge_job_start_timestamp_seconds{printer="sim"}"#] ?? 0) > 1_700_000_000)
            #expect((samples[#"printedge_serial_sent_bytes_total{printer="sim"}"#] ?? 0) > 0)
            #expect((samples[#"printedge_serial_reply_latency_seconds_count{printer="sim"}"#] ?? 0) > 20)
            #expect(samples[#"printedge_serial_reply_latency_seconds_bucket{printer="sim",le="+Inf"}"#]
                    == samples[#"printedge_serial_reply_latency_seconds_count{printer="sim"}"#])
            // Present from the start; its count is not asserted: under the reproducer's load the
            // simulator once reported two line errors here, which a quiet machine never shows.
            // Not explained yet (closing note).
            #expect(samples[#"printedge_firmware_errors_total{printer="sim",kind="line"}"#] != nil)
            #expect(samples[#"printedge_jobs_total{printer="sim",outcome="cancelled"}"#] == 0)
            #expect((samples["printedge_database_size_bytes"] ?? 0) > 0)
            #expect((samples["printedge_disk_available_bytes"] ?? 0) > 0)
            #expect(samples["printedge_telemetry_write_duration_seconds_count"] != nil)
            #expect(!scraped.text.contains("printedge_mqtt_"), "no fleet link, no MQTT series")

            try await daemon.expectOK("jobs.cancel", job: id)
            try await daemon.waitUntil("the job is cancelled") { try await daemon.job(id).state == "cancelled" }
            try await daemon.waitUntil("a scrape counts it and drops the job's series") {
                let text = try await Self.get(port, "/metrics").text
                return Self.samples(text)[#"printedge_jobs_total{printer="sim",outcome="cancelled"}"#] == 1
                    && !text.contains("printedge_job_progress_ratio")
            }
            let health = try await Self.get(port, "/healthz")
            #expect(health.status == 200, "ready or degraded: \(health.text)")
            #expect(health.headers["content-type"] == "application/json")
            #expect(health.text.contains(#""schema":1"#), "the control socket's dialect: \(health.text)")
            let verdict = try ControlCoding.decode(HealthVerdict.self, from: Array(health.text.utf8))
            #expect(verdict.checks.contains { $0.component == "printer" && $0.subject == "sim" && $0.level == .ready }, "\(health.text)")
            #expect(try await Self.get(port, "/").status == 404)
        }
    }

    /// Each kind's latest completed run and its standing: a Z offset made before a tramming is
    /// stale, a mesh made after it is not, and a failed run counts for nothing.
    @Test func calibrationsShowTheirAgeAndWhetherALaterOneMadeThemStale() async throws {
        let scratch = try TemporaryDirectory()
        try await DaemonUnderTest.with(in: scratch, configuration: Self.printer, adjust: Self.listening()) { daemon in
            let port = try await #require(daemon.daemon.httpListener).listeningPort()
            #expect(!(try await Self.get(port, "/metrics").text.contains("printedge_calibration_")), "no run, no series")
            let store = daemon.daemon.store
            let runs: [(kind: String, at: Int64, outcome: CalibrationRecord.Outcome, invalidates: [String])] = [
                ("z_offset", 1_765_000_000_000, .completed, ["bed_mesh"]),
                ("tramming", 1_765_000_600_000, .completed, ["z_offset", "bed_mesh"]),
                ("bed_mesh", 1_765_001_200_000, .completed, []),
                ("bed_mesh", 1_765_001_800_000, .failed, []),
            ]
            for run in runs {
                try store.recordCalibration(CalibrationRecord(printerID: "sim", kind: run.kind, dataJSON: "{}", atMS: run.at,
                                                              outcome: run.outcome, invalidates: run.invalidates))
            }
            let scrape = try await Self.get(port, "/metrics")
            let samples = Self.samples(scrape.text)
            #expect(samples[#"printedge_calibration_stale{printer="sim",kind="z_offset"}"#] == 1, "\(scrape.text)")
            #expect(samples[#"printedge_calibration_stale{printer="sim",kind="tramming"}"#] == 0)
            #expect(samples[#"printedge_calibration_stale{printer="sim",kind="bed_mesh"}"#] == 0)
            #expect(samples[#"printedge_calibration_last_completed_timestamp_seconds{printer="sim",kind="z_offset"}"#] == 1_765_000_000)
            #expect(samples[#"printedge_calibration_last_completed_timestamp_seconds{printer="sim",kind="bed_mesh"}"#] == 1_765_001_200)
            if let promtool = Self.promtool {
                let checked = try await ToolRun(promtool, ["check", "metrics"], input: scrape.text, limit: .seconds(60))
                #expect(checked.status == 0, "promtool check metrics: \(checked.standardOutput)\(checked.standardError)")
            }
        }
    }

    @Test func everyRouteWantsTheBearerTokenWhenOneIsConfigured() async throws {
        let scratch = try TemporaryDirectory()
        let tokenFile = scratch.file("http-token")
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try await DaemonUnderTest.with(in: scratch, configuration: Self.printer, adjust: Self.listening(token: tokenFile)) { daemon in
            let port = try await #require(daemon.daemon.httpListener).listeningPort()
            for path in ["/metrics", "/healthz"] {
                let bare = try await Self.get(port, path)
                #expect(bare.status == 401, "\(path)")
                #expect(bare.headers["www-authenticate"] == #"Bearer realm="printedged""#)
                #expect(try await Self.get(port, path, headers: ["Authorization": "Bearer s3cret-tokem"]).status == 401, "\(path)")
                #expect(try await Self.get(port, path, headers: ["Authorization": "Basic czNjcmV0LXRva2Vu"]).status == 401, "\(path)")
            }
            let scrape = try await Self.get(port, "/metrics", headers: ["Authorization": "bearer s3cret-token"])
            #expect(scrape.status == 200, "the scheme's case does not matter (RFC 7235)")
            #expect(scrape.text.contains("printedge_printer_state{"))
        }
    }
}

/// `/healthz` renders the daemon's verdict as `printedge health --json` prints it: 200 while
/// the daemon does its work (ready, degraded), 503 once it cannot (failed).
@Suite struct HealthRouteTests {
    private static func verdict(_ level: HealthVerdict.Level) -> HealthVerdict {
        HealthVerdict(checks: [HealthCheck(component: "database", level: .ready, message: "takes writes"),
                               HealthCheck(component: "printer", subject: "mk3s", level: level, message: "\(level.rawValue) for the test")],
                      atMS: 1_700_000_000_000)
    }

    @Test func theVerdictIsRenderedWithItsStatus() async throws {
        let verdict = Mutex(Self.verdict(.ready))
        let log = CollectedLog()
        let listener = try HTTPListener(plan: .init(host: "127.0.0.1", port: 0), metrics: { [] },
                                        health: { verdict.withLock { $0 } }, logger: log.logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: listener)], logger: log.logger))
        let running = Task { try await group.run() }
        let port = try await listener.listeningPort()
        for (level, status) in [(HealthVerdict.Level.ready, 200), (.degraded, 200), (.failed, 503)] {
            verdict.withLock { $0 = Self.verdict(level) }
            let answer = try await DedicatedThread.run { Result { try HTTPFetch.get(port: port, path: "/healthz") } }.get()
            #expect(answer.status == status, "\(level)")
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.text == (try ControlCoding.document(Self.verdict(level), pretty: false)) + "\n")
            #expect(try ControlCoding.decode(HealthVerdict.self, from: answer.body) == Self.verdict(level))
        }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(log.contains("HTTP listener on 127.0.0.1:\(port): /metrics, /healthz"))
        #expect(!log.contains("failed"), "a shutdown is no failure: \(log.text)")
    }
}
