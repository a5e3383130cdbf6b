import Foundation
import PrintEdgeControl
import Testing

/// The one JSON dialect of the control socket and `printedge --json`: snake_case keys with
/// units, RFC 3339 times, every key of a data object present, `schema` at the top.
struct ControlDialectTests {
    private let job = JobSummary(
        id: 7, printer: "mk3s", name: "cube.gcode", state: "paused", phase: "paused", phaseSinceMS: 1_796_653_326_123,
        sha256: "ab", sizeBytes: 100, commands: 10, layers: 3, estimatedSeconds: 60, filamentMM: nil, acknowledgedSourceLine: 4,
        acknowledgedBytes: 40, zMM: 0.4, layer: 1, fraction: 0.4, printingSeconds: 12.5, etaSeconds: 18.75, failureReason: nil,
        submittedAtMS: 1_796_655_000_000, startedAtMS: 1_796_655_100_000, endedAtMS: nil)

    @Test func timesAreRFC3339InUTCWithMilliseconds() {
        #expect(ControlTime.text(ms: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ControlTime.text(ms: 1_796_653_326_123) == "2026-12-07T14:22:06.123Z")
        #expect(ControlTime.text(ms: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(ControlTime.text(ms: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func timesReadBackWhateverTheOffsetAndFraction() {
        for ms: Int64 in [0, 1, 999, 1_796_653_326_123, 951_782_400_000, 4_102_444_800_000, -86_400_001] {
            #expect(ControlTime.ms(ControlTime.text(ms: ms)) == ms)
        }
        #expect(ControlTime.ms("2026-12-07T15:22:06.1+01:00") == 1_796_653_326_100)
        #expect(ControlTime.ms("2026-12-07 14:22:06Z") == 1_796_653_326_000)
        for wrong in ["", "2026-12-07", "2026-13-07T14:22:06Z", "2026-12-07T14:22:06", "2026-12-07T14:22:06.Z", "2026-12-07T14:22:06Zx"] {
            #expect(ControlTime.ms(wrong) == nil, "\(wrong)")
        }
    }

    @Test func aJobHasEveryKeySnakeCaseWithNullsAndTimesAsText() throws {
        let object = try #require(JSONSerialization.jsonObject(with: Data(ControlCoding.document(job, pretty: false).utf8)) as? [String: Any])
        #expect(Set(object.keys) == [
            "schema", "id", "printer", "name", "state", "phase", "phase_since", "sha256", "size_bytes", "commands", "layers",
            "estimated_s", "filament_mm", "acknowledged_source_line", "acknowledged_bytes", "z_mm", "layer", "fraction",
            "printing_s", "eta_s", "failure_reason", "submitted_at", "started_at", "ended_at",
        ])
        #expect(object["schema"] as? Int == ControlCoding.schema)
        #expect(object["phase_since"] as? String == "2026-12-07T14:22:06.123Z")
        #expect(object["filament_mm"] is NSNull)
        #expect(object["ended_at"] is NSNull)
    }

    @Test func everyReplyLineCarriesTheSchemaAndReadsBack() throws {
        let reply = ControlReply(
            id: 4, ok: true, printers: [PrinterStatus(id: "mk3s", name: "MK3S", state: "paused", port: "/dev/ttyACM0",
                                                      temperatures: [HeaterReading(heater: "T0", actualCelsius: 209.5, targetCelsius: 210)], job: job)],
            storage: StorageStatus(condition: "disk_full", sinceMS: 1_796_653_326_123), daemonVersion: "0.9.0",
            samples: [TelemetryPoint(printer: "mk3s", atMS: 1_796_653_326_123, channel: "T0", value: 209.5, target: 210)])
        let line = try ControlCoding.encode(reply)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("{") && text.hasSuffix("}\n"))
        #expect(text.contains(#""schema":1"#))
        #expect(text.contains(#""actual_c":209.5"#))
        #expect(text.contains(#""since":"2026-12-07T14:22:06.123Z""#))
        #expect(text.contains(#""daemon_version":"0.9.0""#))
        #expect(!text.contains("MS\""), "no camelCase key is left")
        #expect(try ControlCoding.decode(ControlReply.self, from: line.dropLast()) == reply)
    }

    @Test func aReplyOfAnotherSchemaIsNotRead() {
        #expect(throws: DecodingError.self) {
            try ControlCoding.decode(ControlReply.self, from: Array(#"{"schema":2,"id":1,"ok":true}"#.utf8))
        }
    }

    @Test func keysCarryTheirUnitAndNoUpperCase() throws {
        let text = try ControlCoding.document(
            ControlReply(id: 1, ok: true, fleet: FleetLinkStatus(state: "down", server: "b:1883", agent: "pi", sinceMS: 0, retryAtMS: 5),
                         relays: [PowerRelayStatus(relay: "host", printers: ["mk3s"], on: true, state: "idle", switchOffInSeconds: 60, line: "l")]),
            pretty: false)
        for key in ["retry_at", "in_flight", "refused_since_start", "switch_off_in_s", "waiting_for"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        let keys = text.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(!keys.contains { key in key.contains { $0.isUppercase } && !key.contains(" ") && !key.contains(":") && key != "MK3S" })
    }
}
