import PrintEdgeConfig
@testable import PrintEdgeDaemon
import PrintEdgeCore
import Testing

struct FleetCommandParserTests {
    private let parser = FleetCommandParser(settings: FleetCommandSettings())
    private static let digest = String(repeating: "ab", count: 32)

    private func parse(_ text: String) throws(FleetCommandParser.Refusal) -> FleetCommand {
        try parser.parse(Array(text.utf8), maxFramedBytes: 96)
    }

    private func refusal(_ text: String) -> FleetCommandParser.Refusal? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsEveryCommand() throws {
        #expect(try parse(#"{"id": "a", "command": "pause"}"#) == FleetCommand(id: .string("a"), action: .pause(job: nil)))
        #expect(try parse(#"{"id": 7, "command": "resume", "job": 12}"#) == FleetCommand(id: .integer(7), action: .resume(job: 12)))
        #expect(try parse(#"{"id": "a", "command": "cancel", "job": null}"#).action == .cancel(job: nil))
        #expect(try parse(#"{"id": "a", "command": "emergency_stop"}"#).action == .emergencyStop)
        #expect(try parse(#"{"id": "a", "command": "status_request"}"#).action == .statusRequest)
        #expect(try parse(#"{"id": "a", "command": "transfer_status", "transfer": "t-1"}"#).action == .transferStatus(transfer: "t-1"))
        #expect(try parse(#"{"id": "a", "command": "set_temperature", "heater": "T1", "target_celsius": 215.5}"#).action
            == .setTemperature(heater: .hotend(1), targetCelsius: 215.5))
        #expect(try parse(#"{"id": "a", "command": "set_temperature", "heater": "B", "target_celsius": 0}"#).action
            == .setTemperature(heater: .bed, targetCelsius: 0))
        #expect(try parse(#"{"id": "a", "command": "gcode", "lines": ["g28 ; home", "", "M104 S200*12"]}"#).action
            == .gcode([("G28", "g28"), ("M104", "M104 S200")]))
        #expect(try parse(#"{"id": "a", "command": "start_job", "job": 4}"#).action == .startJob(.queuedJob(4), options: .init()))
        #expect(try parse(#"{"id": "a", "command": "start_job", "transfer": "t1", "sha256": "\#(Self.digest.uppercased())", "size_bytes": 10, "chunk_size_bytes": 4, "name": "cube", "start": false, "force": true}"#).action
            == .startJob(.chunks(FileTransferAnnouncement(transfer: "t1", sha256: Self.digest, sizeBytes: 10, chunkSizeBytes: 4)),
                         options: .init(name: "cube", start: false, force: true)))
        #expect(try parse(#"{"id": "a", "command": "start_job", "url": "https://files.example/cube.gcode", "sha256": "\#(Self.digest)"}"#).action
            == .startJob(.download(url: "https://files.example/cube.gcode", sha256: Self.digest, sizeBytes: nil), options: .init()))
    }

    @Test func refusesAnOversizedPayloadUnread() {
        let payload = #"{"id": "big", "command": "gcode", "lines": ["\#(String(repeating: "M117 x", count: 20_000))"]}"#
        let refused = refusal(payload)
        #expect(refused?.id == nil)
        #expect(refused?.error.code == .payloadTooLarge)
        #expect(refused?.error.message.contains("max_command_bytes") == true)
    }

    @Test func aPayloadWithoutAReadableIDIsRefusedWithoutOne() {
        #expect(refusal("not json")?.error.code == .badJSON)
        #expect(refusal("not json")?.id == nil)
        #expect(refusal("[1]")?.error.message.contains("an array") == true)
        #expect(refusal(#"{"command": "pause"}"#)?.error == FleetCommandError(.badRequest, "the command has no `id`; every command carries one (a string or an integer) for its reply to name", field: "id"))
        #expect(refusal(#"{"id": 1.5, "command": "pause"}"#)?.error.message == "`id` must be a string or an integer, found a number (1.5)")
        #expect(refusal(#"{"id": "", "command": "pause"}"#)?.id == nil)
    }

    @Test func keepsTheIDWhenTheRestIsWrong() {
        let refused = refusal(#"{"id": "c9", "command": "pause", "job": "12"}"#)
        #expect(refused?.id == .string("c9"))
        #expect(refused?.command == "pause")
        #expect(refused?.error == FleetCommandError(.badRequest, "`job` of `pause` must be an integer, found a string", field: "job"))
    }

    @Test(arguments: [
        (#"{"id": 1}"#, FleetCommandError.Code.badRequest, "command", "the command has no `command` member"),
        (#"{"id": 1, "command": 3}"#, .badRequest, "command", "`command` must be a string, found an integer (3)"),
        (#"{"id": 1, "command": "pasue"}"#, .unknownCommand, "command", "unknown command `pasue`; the commands are start_job, pause"),
        (#"{"id": 1, "command": "pause", "jbo": 3}"#, .badRequest, "jbo", "`pause` has no field `jbo`; its fields are `job`"),
        (#"{"id": 1, "command": "emergency_stop", "now": true}"#, .badRequest, "now", "`emergency_stop` has no field `now`; it takes no other field"),
        (#"{"id": 1, "command": "pause", "job": 0}"#, .badRequest, "job", "`job` of `pause` must be within 1…"),
        (#"{"id": 1, "command": "set_temperature", "heater": "E0", "target_celsius": 200}"#, .badRequest, "heater", "must be one of T0, T1, T2, T3, T4, T5, T6, T7, B, found \"E0\""),
        (#"{"id": 1, "command": "set_temperature", "heater": "T0"}"#, .badRequest, "target_celsius", "`set_temperature` needs `target_celsius`"),
        (#"{"id": 1, "command": "set_temperature", "heater": "T0", "target_celsius": -5}"#, .badRequest, "target_celsius", "must be 0 (off) or more"),
        (#"{"id": 1, "command": "set_temperature", "heater": "T0", "target_celsius": "hot"}"#, .badRequest, "target_celsius", "must be a number, found a string"),
        (#"{"id": 1, "command": "gcode"}"#, .badRequest, "lines", "`gcode` needs `lines`"),
        (#"{"id": 1, "command": "gcode", "lines": "G28"}"#, .badRequest, "lines", "must be an array of strings, found a string"),
        (#"{"id": 1, "command": "gcode", "lines": ["G28", 5]}"#, .badRequest, "lines", "`lines[1]` of `gcode` must be a string, found an integer (5)"),
        (#"{"id": 1, "command": "gcode", "lines": ["; only a comment"]}"#, .badRequest, "lines", "holds no command"),
        (#"{"id": 1, "command": "gcode", "lines": ["G28\nM500"]}"#, .badRequest, "lines", "`lines[0]` holds the control character U+A"),
        (#"{"id": 1, "command": "gcode", "lines": ["M117 \#(String(repeating: "x", count: 100))"]}"#, .badRequest, "lines", "over the firmware's limit of 96"),
        (#"{"id": 1, "command": "start_job"}"#, .badRequest, "transfer", "`start_job` names no file; give exactly one of `transfer`"),
        (#"{"id": 1, "command": "start_job", "job": 1, "url": "http://x/y"}"#, .badRequest, "url", "`start_job` names `job` and `url`"),
        (#"{"id": 1, "command": "start_job", "job": 1, "start": false}"#, .badRequest, "start", nil),
        (#"{"id": 1, "command": "start_job", "transfer": "t/1", "sha256": "\#(digest)", "size_bytes": 1, "chunk_size_bytes": 1}"#, .badRequest, "transfer", "may hold letters, digits, `-` and `_` only"),
        (#"{"id": 1, "command": "start_job", "transfer": "t1", "sha256": "abc", "size_bytes": 1, "chunk_size_bytes": 1}"#, .badRequest, "sha256", "must be 64 hex digits, found \"abc\""),
        (#"{"id": 1, "command": "start_job", "transfer": "t1", "size_bytes": 1, "chunk_size_bytes": 1}"#, .badRequest, "sha256", "`start_job` needs `sha256`"),
        (#"{"id": 1, "command": "start_job", "transfer": "t1", "sha256": "\#(digest)", "chunk_size_bytes": 1}"#, .badRequest, "size_bytes", "`start_job` needs `size_bytes`"),
        (#"{"id": 1, "command": "start_job", "transfer": "t1", "sha256": "\#(digest)", "size_bytes": 300000000, "chunk_size_bytes": 1}"#, .badRequest, "size_bytes", "must be within 1…268435456"),
        (#"{"id": 1, "command": "start_job", "transfer": "t1", "sha256": "\#(digest)", "size_bytes": 200000000, "chunk_size_bytes": 10}"#, .badRequest, "chunk_size_bytes", "makes 20000000 chunks"),
        (#"{"id": 1, "command": "start_job", "url": "file:///etc/passwd", "sha256": "\#(digest)"}"#, .badRequest, "url", "must be an http:// or https:// URL"),
        (#"{"id": 1, "command": "start_job", "url": "http://x/y", "sha256": "\#(digest)", "chunk_size_bytes": 5}"#, .badRequest, "chunk_size_bytes", "goes with `transfer` only"),
        (#"{"id": 1, "command": "transfer_status"}"#, .badRequest, "transfer", "`transfer_status` needs `transfer`"),
    ] as [(String, FleetCommandError.Code, String, String?)])
    func namesTheFieldAndWhatWasExpected(payload: String, code: FleetCommandError.Code, field: String, excerpt: String?) {
        let refused = refusal(payload)
        #expect(refused?.id == .integer(1))
        #expect(refused?.error.code == code)
        #expect(refused?.error.field == field)
        if let excerpt { #expect(refused?.error.message.contains(excerpt) == true, "\(refused?.error.message ?? "accepted")") }
    }

    @Test(arguments: ["M500", "m500", "M 500", "M502", "M997", "M600", "M28 job.gco", "M110 N0", "M112", "G29.1", "X10", "T0", "M5000"])
    func refusesGCodeOutsideTheDefaultAllowList(line: String) {
        let refused = refusal(#"{"id": "g", "command": "gcode", "lines": ["G28", "\#(line)"]}"#)
        #expect(refused?.error.code == .gcodeNotAllowed)
        #expect(refused?.error.message.contains("`lines[1]`") == true)
    }

    @Test func readsCommandWordsAsMarlinDoes() {
        #expect(GCodeCommandWord.of("G1X10") == "G1")
        #expect(GCodeCommandWord.of("g10 P1") == "G10")
        #expect(GCodeCommandWord.of("M 104 S200") == "M104")
        #expect(GCodeCommandWord.of("G29.1") == "G29.1")
        #expect(GCodeCommandWord.of("S200") == "")
        #expect(GCodeCommandWord.of("M") == "")
    }

    @Test func aConfiguredAllowListReplacesTheDefault() throws {
        var settings = FleetCommandSettings()
        settings.gcodeAllowed = ["M500"]
        let parser = FleetCommandParser(settings: settings)
        let command = try parser.parse(Array(#"{"id": "g", "command": "gcode", "lines": ["M500"]}"#.utf8), maxFramedBytes: 96)
        #expect(command.action == .gcode([("M500", "M500")]))
        #expect(throws: FleetCommandParser.Refusal.self) {
            try parser.parse(Array(#"{"id": "g", "command": "gcode", "lines": ["G28"]}"#.utf8), maxFramedBytes: 96)
        }
    }
}
