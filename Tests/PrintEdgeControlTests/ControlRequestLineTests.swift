@testable import PrintEdgeControl
import Testing

/// How a line on the control socket becomes a request, or the refusal that names what is
/// wrong and keeps the request's id.
struct ControlRequestLineTests {
    private func refusal(_ line: String) -> ControlRequestRefusal? {
        do {
            _ = try ControlRequest(line: Array(line.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func everyFieldIsReadWithItsType() throws {
        let request = try ControlRequest(line: Array(#"""
            {"id": 9, "command": "jobs.submit", "printer": "mk", "job": 12, "path": "/a.gcode", "name": "cube", "lines": ["G28", "M105"], "force": true, "states": ["queued"], "limit": 5, "file_attached": false, "follow": true, "schema": 1}
            """#.utf8))
        #expect(request == ControlRequest(id: 9, command: "jobs.submit", printer: "mk", job: 12, path: "/a.gcode", name: "cube",
                                          lines: ["G28", "M105"], force: true, states: ["queued"], limit: 5, fileAttached: false, follow: true))
        #expect(try ControlRequest(line: Array(#"{"command": "status", "printer": null, "id": 1}"#.utf8)) == ControlRequest(id: 1, command: "status"))
    }

    @Test func whatTheCLIWritesIsReadBack() throws {
        let sent = ControlRequest(id: 3, command: "send", printer: "mk", lines: ["M115"])
        let line = try ControlCoding.encode(sent).dropLast()
        #expect(try ControlRequest(line: line) == sent)
        let following = ControlRequest(id: 4, command: "log.serial", printer: "mk", limit: 20, follow: true)
        #expect(try ControlRequest(line: ControlCoding.encode(following).dropLast()) == following)
    }

    @Test(arguments: [
        (#"{"id": 100013, "command": "jobs.cancel", "job": true}"#, 100013, "`job` must be an integer (a job id), found a boolean"),
        (#"{"id": 4, "command": "status", "printer": 5}"#, 4, "`printer` must be a string (a printer id), found an integer (5)"),
        (#"{"id": 5, "command": "jobs.list", "limit": "x"}"#, 5, "`limit` must be an integer (a number of jobs or lines), found a string"),
        (#"{"id": 6, "command": "jobs.list", "limit": 2.5}"#, 6, "`limit` must be an integer (a number of jobs or lines), found a number (2.5)"),
        (#"{"id": 7, "command": "send", "printer": "mk", "lines": ["G28", 1]}"#, 7, "`lines` must be an array of strings (G-code lines), found an array holding an integer (1)"),
        (#"{"id": 8, "command": "jobs.submit", "force": "yes"}"#, 8, "`force` must be true or false, found a string"),
        (#"{"id": 12, "command": "status", "schema": 2}"#, 12, "this daemon speaks schema 1, not 2 (docs/control.md); are the client and printedged the same release?"),
        (#"{"id": 9, "command": 3}"#, 9, "`command` must be a string (a command such as \"status\"), found an integer (3)"),
        (#"{"id": 10}"#, 10, "the request has no `command`: a command such as \"status\""),
        (#"{"id": 11, "command": "power.off", "prnter": "mk"}"#, 11, "unknown field `prnter`; a request's fields are `schema`, `id`, `command`, `printer`, `job`, `path`, `name`, `lines`, `force`, `states`, `limit`, `file_attached`, `follow`, `calibration`, `answer`, `kinds`, `record`"),
    ])
    func aWrongFieldIsNamedAndTheIDKept(line: String, id: Int, message: String) {
        #expect(refusal(line) == ControlRequestRefusal(id: id, message: message))
    }

    @Test func aKeyTwiceIsRefusedWithTheIDWhenTheIDIsWrittenOnce() {
        #expect(refusal(#"{"id":12,"command":"status","command":"estop"}"#)
                == ControlRequestRefusal(id: 12, message: "the field `command` appears twice (at byte 28); a request gives each field once"))
        #expect(refusal(#"{"id":1,"command":"status","id":2}"#)
                == ControlRequestRefusal(id: 0, message: "the field `id` appears twice (at byte 27); a request gives each field once"))
    }

    @Test func withoutAReadableIDTheRefusalCarriesZero() {
        #expect(refusal(#"{"command": "status"}"#)?.id == 0)
        #expect(refusal(#"{"command": "status"}"#)?.message.hasPrefix("the request has no `id`") == true)
        #expect(refusal(#"{"id": "7", "command": "status"}"#) == ControlRequestRefusal(id: 0, message: "`id` must be an integer (the reply carries it back), found a string"))
        #expect(refusal(#"{"id": 1.0, "command": "status"}"#)?.id == 0)
        #expect(refusal(#"[1]"#)?.message.hasPrefix("the line is an array; a request is one JSON object per line") == true)
        #expect(refusal(#"{"id": 1, "command": "status""#)?.message.hasPrefix("not valid JSON at byte 29: expected `,` or `}`, found the end of the payload") == true)
    }

    @Test func aCalibrationIsReadWithItsSnakeCaseParameters() throws {
        let request = try ControlRequest(line: Array(#"""
            {"id": 2, "command": "calibrate.start", "printer": "mk", "calibration": {"kind": "pid", "heater": "bed", "temperature_c": 60, "cycles": 6, "save": true}}
            """#.utf8))
        var expected = CalibrationRequest(kind: .pid)
        expected.heater = "bed"
        expected.temperatureCelsius = 60
        expected.cycles = 6
        expected.save = true
        #expect(request.calibration == expected)
        let sent = ControlRequest(id: 3, command: "calibrate.start", printer: "mk", calibration: expected)
        #expect(try ControlRequest(line: try ControlCoding.encode(sent).dropLast()) == sent)
        #expect(try ControlRequest(line: Array(#"{"id": 4, "command": "calibrate.answer", "printer": "mk", "answer": "-0.05"}"#.utf8)).answer == "-0.05")
    }

    @Test(arguments: [
        (#"{"id": 1, "command": "calibrate.start", "calibration": {"kind": "pid", "temp": 200}}"#, "unknown key `calibration.temp`"),
        (#"{"id": 1, "command": "calibrate.start", "calibration": {"kind": "pidd"}}"#, "`calibration.kind` must be one of pid, esteps, flow"),
        (#"{"id": 1, "command": "calibrate.start", "calibration": {"heater": "bed"}}"#, "`calibration.kind` is missing"),
        (#"{"id": 1, "command": "calibrate.start", "calibration": {"kind": "pid", "cycles": "five"}}"#, "`calibration.cycles` must be an integer"),
        (#"{"id": 1, "command": "calibrate.start", "calibration": "pid"}"#, "`calibration` must be an object"),
    ])
    func aBadCalibrationNamesItsKey(line: String, message: String) throws {
        let refused = try #require(refusal(line))
        #expect(refused.id == 1)
        #expect(refused.message.contains(message), "\(refused.message)")
    }
}
