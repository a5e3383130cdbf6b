import Foundation
import PrintEdgeControl
import PrintEdgeTestSupport
import Testing

/// Raw lines on the real daemon's control socket, as a script might write them: a refusal
/// keeps the request's id and names the field, and a key given twice runs nothing.
@Suite struct ControlSocketRequestTests {
    /// Writes `lines` on one connection and reads replies until each request has its final
    /// one (requests on a connection run concurrently: matched by id); a hang guard, not a
    /// timing expectation, ends the wait.
    static func exchange(_ lines: [String], on socketPath: String) async throws -> [Int: [String: Any]] {
        let fd = try UnixSocket.connect(path: socketPath)
        defer { close(fd) }
        try UnixSocket.writeAll(fd, Array(lines.map { $0 + "\n" }.joined().utf8))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var replies: [Int: [String: Any]] = [:]
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(60)
        while replies.count < lines.count, ContinuousClock.now < deadline {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                pending += chunk[..<count]
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let reply = try JSONSerialization.jsonObject(with: Data(pending[..<newline])) as? [String: Any] ?? [:]
                    pending.removeSubrange(...newline)
                    if reply["ok"] != nil, let id = reply["id"] as? Int { replies[id] = reply }
                }
            } else if count == 0 {
                break
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return replies
    }

    @Test func aWronglyTypedOrRepeatedFieldIsRefusedWithTheRequestsIDAndNamed() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"])
        let refusals: [(line: String, id: Int, message: String)] = [
            (#"{"id": 100013, "command": "jobs.cancel", "job": true}"#, 100013, "`job` must be an integer (a job id), found a boolean"),
            (#"{"id": 100014, "command": "status", "printer": 5}"#, 100014, "`printer` must be a string (a printer id), found an integer (5)"),
            (#"{"id": 100015, "command": "jobs.list", "limit": "x"}"#, 100015, "`limit` must be an integer (a number of jobs or lines), found a string"),
            (#"{"id": 100016, "command": "status", "command": "estop", "printer": "sim"}"#, 100016,
             "the field `command` appears twice (at byte 36); a request gives each field once"),
            (#"{"id": 100017, "command": "power.off", "prnter": "sim"}"#, 100017,
             "unknown field `prnter`; a request's fields are `schema`, `id`, `command`, `printer`, `job`, `path`, `name`, `lines`, `force`, `states`, `limit`, `file_attached`, `follow`, `calibration`, `answer`, `kinds`, `record`"),
            // A missing field was always named: it still is, by the command.
            (#"{"id": 100018, "command": "jobs.cancel"}"#, 100018, "`jobs.cancel` needs `job`"),
        ]
        let replies = try await Self.exchange(refusals.map(\.line) + [#"{"id": 100019, "command": "status"}"#], on: daemon.socketPath)
        for refusal in refusals {
            let reply = try #require(replies[refusal.id], "no reply with id \(refusal.id): \(replies)")
            #expect(reply["ok"] as? Bool == false)
            let error = reply["error"] as? [String: Any]
            #expect(error?["code"] as? String == "bad_request", "\(reply)")
            #expect(error?["message"] as? String == refusal.message, "\(reply)")
        }
        // The connection outlives the refusals, and the `estop` written twice ran nowhere.
        let status = try #require(replies[100019])
        #expect(status["ok"] as? Bool == true, "\(status)")
        #expect((status["printers"] as? [[String: Any]])?.first?["state"] as? String == "idle", "\(status)")
        #expect(!daemon.logText.contains("M112"), "\(daemon.logText)")
    }
}
