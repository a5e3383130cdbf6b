import Foundation
import PrintEdgeControl
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import Testing

/// The JSON Schemas of docs/mqtt/schemas (`cmd-*`, `reply-*`) say what the parser and the
/// replies do: commands it takes are valid, commands it refuses are not, every reply it gives
/// is valid. Checked with docs/mqtt/validate.py's schemas (python3-jsonschema), as a fleet's
/// consumer would.
struct FleetCommandSchemaTests {
    static let digest = String(repeating: "c0", count: 32)

    static let accepted = [
        #"{"id": "a", "command": "pause"}"#,
        #"{"id": 7, "command": "resume", "job": 12}"#,
        #"{"id": "a", "command": "cancel", "job": 3}"#,
        #"{"id": "a", "command": "emergency_stop"}"#,
        #"{"id": "a", "command": "status_request"}"#,
        #"{"id": "a", "command": "transfer_status", "transfer": "t-1"}"#,
        #"{"id": "a", "command": "set_temperature", "heater": "B", "target_celsius": 60.5}"#,
        #"{"id": "a", "command": "gcode", "lines": ["G28", "M104 S200 ; heat"]}"#,
        #"{"id": "a", "command": "start_job", "job": 4}"#,
        #"{"id": "a", "command": "start_job", "transfer": "t1", "sha256": "\#(digest)", "size_bytes": 10, "chunk_size_bytes": 4, "name": "cube", "start": false, "force": true}"#,
        #"{"id": "a", "command": "start_job", "url": "https://files.example/cube.gcode", "sha256": "\#(digest)"}"#,
    ]

    /// Refused by the parser, and by the schema of the command they name.
    static let refused = [
        #"{"id": 1.5, "command": "pause"}"#,
        #"{"id": "a", "command": "pause", "jbo": 3}"#,
        #"{"id": "a", "command": "set_temperature", "heater": "E0", "target_celsius": 200}"#,
        #"{"id": "a", "command": "set_temperature", "heater": "T0", "target_celsius": -1}"#,
        #"{"id": "a", "command": "gcode", "lines": []}"#,
        #"{"id": "a", "command": "start_job"}"#,
        #"{"id": "a", "command": "start_job", "job": 1, "url": "http://x/y"}"#,
        #"{"id": "a", "command": "start_job", "job": 1, "start": false}"#,
        #"{"id": "a", "command": "start_job", "transfer": "t/1", "sha256": "\#(digest)", "size_bytes": 1, "chunk_size_bytes": 1}"#,
        #"{"id": "a", "command": "start_job", "url": "file:///etc/passwd", "sha256": "\#(digest)"}"#,
        #"{"id": "a", "command": "transfer_status"}"#,
    ]

    @Test func commandsTheParserTakesOrRefusesAreValidOrInvalidByTheirSchema() async throws {
        let parser = FleetCommandParser(settings: .init())
        var checks: [(schema: String, document: String, valid: Bool)] = []
        for text in Self.accepted {
            let command = try parser.parse(Array(text.utf8), maxFramedBytes: 96)
            checks.append(("cmd-\(command.action.name)", text, true))
        }
        for text in Self.refused {
            #expect(throws: FleetCommandParser.Refusal.self) { try parser.parse(Array(text.utf8), maxFramedBytes: 96) }
            let name = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])["command"] as? String
            checks.append(("cmd-\(name ?? "")", text, false))
        }
        try await Self.validate(checks)
    }

    @Test func everyKindOfReplyIsValidByItsSchema() async throws {
        let rig = try FleetCommandRig()
        let job = JobSummary(id: 3, printer: "mk3s", name: "cube", state: "printing", sha256: String(repeating: "0", count: 64), sizeBytes: 10,
                             commands: 2, layers: 1, estimatedSeconds: 12, filamentMM: nil, acknowledgedSourceLine: 1, acknowledgedBytes: 4,
                             zMM: 0.2, layer: 0, fraction: 0.4, etaSeconds: 3, failureReason: nil, submittedAt: nil, endedAt: nil)
        await rig.printers[0].set(state: "printing", job: job)
        var checks: [(schema: String, document: String, valid: Bool)] = []
        func record(_ payload: String, subtopic: String = "cmd", as schema: String) async {
            await record(Array(payload.utf8), subtopic: subtopic, as: schema)
        }
        func record(_ payload: [UInt8], subtopic: String, as schema: String) async {
            for reply in await rig.commands.handle(printerID: "mk3s", subtopic: subtopic, payload: payload) {
                checks.append((schema, String(decoding: reply.payload, as: UTF8.self), true))
            }
        }
        await record(#"{"id": "p", "command": "pause", "job": 3}"#, as: "reply-pause")
        await rig.printers[0].set(state: "paused", job: job)
        await record(#"{"id": "r", "command": "resume"}"#, as: "reply-resume")
        await record(#"{"id": 9, "command": "cancel"}"#, as: "reply-cancel")
        await record(#"{"id": "e", "command": "emergency_stop"}"#, as: "reply-emergency_stop")
        await record(#"{"id": "t", "command": "set_temperature", "heater": "T0", "target_celsius": 210}"#, as: "reply-set_temperature")
        await record(#"{"id": "g", "command": "gcode", "lines": ["M106 S100"]}"#, as: "reply-gcode")
        await record(#"{"id": "g2", "command": "gcode", "lines": ["G28"]}"#, as: "reply-gcode")
        await record(#"{"id": "s", "command": "status_request"}"#, as: "reply-status_request")
        await record("not json", as: "reply-refusal")
        await record(#"{"id": "x", "command": "nope"}"#, as: "reply-refusal")
        await rig.printers[0].set(state: "idle")
        let file = FleetCommandTransferTests.file
        await record(#"{"id": "j", "command": "start_job", "transfer": "t1", "sha256": "\#(sha256Hex(file))", "size_bytes": \#(file.count), "chunk_size_bytes": 100}"#, as: "reply-start_job")
        await record(#"{"id": "ts", "command": "transfer_status", "transfer": "t1"}"#, as: "reply-transfer_status")
        await record(#"{"id": "ts2", "command": "transfer_status", "transfer": "t2"}"#, as: "reply-transfer_status")
        await record("abc", subtopic: "files/t1/999", as: "reply-chunk")
        for index in 0..<FleetCommandTransferTests.chunkCount {
            await record(FleetCommandTransferTests.chunk(index), subtopic: "files/t1/\(index)", as: "reply-chunk")
        }
        for reply in try await rig.waitForLaterReplies(1) {
            let data = try JSONSerialization.data(withJSONObject: reply)
            checks.append(("reply-start_job", String(decoding: data, as: UTF8.self), true))
        }
        #expect(checks.count == 14)
        try await Self.validate(checks)
    }

    /// Runs the checks through the schemas as docs/mqtt/validate.py loads them (every schema of
    /// docs/mqtt/schemas, `$ref`s resolved among them), with Debian's python3-jsonschema as CI
    /// has it. `-B`: importing validate.py leaves no __pycache__ in docs/mqtt.
    static func validate(_ checks: [(schema: String, document: String, valid: Bool)]) async throws {
        let lines = try checks.map { check in
            let document = try JSONSerialization.jsonObject(with: Data(check.document.utf8))
            let line = try JSONSerialization.data(withJSONObject: ["schema": check.schema, "document": document, "valid": check.valid])
            return String(decoding: line, as: UTF8.self)
        }
        let run = try await ToolRun("/usr/bin/python3", ["-B", "-W", "error", "-c", script, repositoryRoot.appendingPathComponent("docs/mqtt").path],
                                    input: lines.joined(separator: "\n") + "\n")
        let text = run.standardOutput + run.standardError
        #expect(run.status == 0, "\(text)")
        #expect(text.contains("checked \(checks.count)"), "\(text)")
    }

    /// Reads checks ({"schema", "document", "valid"}) a line each; prints those that come out
    /// otherwise, with validate.py's account of why.
    private static let script = """
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import validate
        schemas = validate.SchemaSet(validate.SCHEMAS)
        failures = 0
        count = 0
        for line in sys.stdin:
            check = json.loads(line)
            count += 1
            if check["schema"] not in schemas:
                failures += 1
                print(f"no schema {check['schema']}.json in {validate.SCHEMAS}")
                continue
            problems = schemas.problems(check["schema"], check["document"])
            if bool(problems) == check["valid"]:
                failures += 1
                print(check["schema"], json.dumps(check["document"]), "expected", "valid" if check["valid"] else "invalid", problems[:3])
        print(f"checked {count}")
        sys.exit(1 if failures else 0)
        """
}
