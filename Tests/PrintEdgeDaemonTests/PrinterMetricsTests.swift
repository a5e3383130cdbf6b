import PrintEdgeAgent
import PrintEdgeCore
@testable import PrintEdgeDaemon
import Prometheus
import Testing

/// A printer's series as its link's events build them, read back from the exposition.
@Suite struct PrinterMetricsTests {
    private let registry = PrometheusCollectorRegistry()

    private func value(_ series: String) -> Double? {
        for line in registry.emitToString().split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    private func progress(lines: Int, bytes: Int, resends: Int, latencies: [Duration] = []) -> StreamProgress {
        var progress = StreamProgress()
        progress.linesSent = lines
        progress.bytesSent = bytes
        progress.resendRequests = resends
        for latency in latencies { progress.replyLatency.record(latency) }
        return progress
    }

    private let ready = PrinterConnection.Event.ready(FirmwareInfo(fields: ["FIRMWARE_NAME": "Marlin 2.1.2.5"]), capabilities: [:],
                                                      flow: .window, rebooted: false)

    @Test func linkCountersAccumulateAcrossReconnects() {
        let metrics = PrinterMetrics(printerID: "mk3", profile: "prusa-mk3s", registry: registry)
        metrics.observe(ready)
        metrics.observe(.linkProgress(progress(lines: 10, bytes: 300, resends: 1, latencies: [.milliseconds(3)]), streamingFor: .seconds(1)))
        metrics.observe(.linkProgress(progress(lines: 25, bytes: 700, resends: 2, latencies: [.milliseconds(3), .milliseconds(40)]),
                                      streamingFor: .seconds(2)))
        metrics.linkEnded(.failed(.protocolFailure(.firmwareReset(lastAcknowledgedLine: 25))))
        // The next connection's counters start again at zero.
        metrics.observe(ready)
        metrics.observe(.linkProgress(progress(lines: 4, bytes: 90, resends: 0, latencies: [.seconds(20)]), streamingFor: .seconds(1)))
        #expect(value(#"printedge_serial_lines_sent_total{printer="mk3"}"#) == 29)
        #expect(value(#"printedge_serial_sent_bytes_total{printer="mk3"}"#) == 790)
        #expect(value(#"printedge_serial_resend_requests_total{printer="mk3"}"#) == 2)
        #expect(value(#"printedge_firmware_errors_total{printer="mk3",kind="reset"}"#) == 1)
        #expect(value(#"printedge_serial_reply_latency_seconds_count{printer="mk3"}"#) == 3)
        #expect(value(#"printedge_serial_reply_latency_seconds_bucket{printer="mk3",le="0.005"}"#) == 1)
        #expect(value(#"printedge_serial_reply_latency_seconds_bucket{printer="mk3",le="0.05"}"#) == 2)
        #expect(value(#"printedge_serial_reply_latency_seconds_bucket{printer="mk3",le="10.0"}"#) == 2)
        #expect(value(#"printedge_serial_reply_latency_seconds_sum{printer="mk3"}"#) == 20.043)
    }

    @Test func heaterSeriesLastAsLongAsTheLink() throws {
        let metrics = PrinterMetrics(printerID: "mk3", profile: "prusa-mk3s", registry: registry)
        metrics.observe(ready)
        let report = try #require(TemperatureReport.parse("T:205.00 /210.00 B:60.00 /60.00 @:127 B@:0"[...]))
        metrics.observe(.temperature(report))
        #expect(value(#"printedge_heater_temperature_celsius{printer="mk3",heater="T0"}"#) == 205)
        #expect(value(#"printedge_heater_target_celsius{printer="mk3",heater="T0"}"#) == 210)
        #expect(value(#"printedge_heater_duty_ratio{printer="mk3",heater="T0"}"#) == 1)
        #expect(value(#"printedge_heater_duty_ratio{printer="mk3",heater="B"}"#) == 0)
        #expect(value(#"printedge_printer_info{printer="mk3",profile="prusa-mk3s",firmware="Marlin 2.1.2.5"}"#) == 1)
        metrics.linkEnded(.closed)
        #expect(!registry.emitToString().contains("printedge_heater_"), "no temperature from a link that ended")
        #expect(value(#"printedge_printer_info{printer="mk3",profile="prusa-mk3s",firmware="Marlin 2.1.2.5"}"#) == 1,
                "the firmware last seen stays on the info series")
    }

    @Test func filamentCountsEachJobsMostAndNeverGoesDown() {
        let metrics = PrinterMetrics(printerID: "mk3", profile: "prusa-mk3s", registry: registry)
        var progress = PrinterConnection.JobProgress()
        for extruded in [0.0, 400, 398, 1200] {  // 398: a retraction, acknowledged
            progress.extrudedMM = extruded
            metrics.observe(.jobProgress(progress))
        }
        metrics.jobEnded(.completed)
        progress.extrudedMM = 300
        metrics.observe(.jobProgress(progress))
        // 1.2 m of the first job (its most), 0.3 m of the second.
        #expect(abs((value(#"printedge_extruded_filament_meters_total{printer="mk3"}"#) ?? 0) - 1.5) < 1e-9)
        #expect(value(#"printedge_jobs_total{printer="mk3",outcome="completed"}"#) == 1)
        #expect(value(#"printedge_jobs_total{printer="mk3",outcome="failed"}"#) == 0)
    }
}
