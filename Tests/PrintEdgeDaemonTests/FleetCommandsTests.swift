import Foundation
import PrintEdgeConfig
import PrintEdgeControl
@testable import PrintEdgeDaemon
import PrintEdgeStore
import Synchronization
import Testing

/// The commands against recording printers: replies, refusals that change nothing, counters.
struct FleetCommandsTests {
    private static let printingJob = JobSummary(
        id: 3, printer: "mk3s", name: "cube.gcode", state: "printing", sha256: String(repeating: "0", count: 64), sizeBytes: 100,
        commands: 10, layers: 2, estimatedSeconds: nil, filamentMM: nil, acknowledgedSourceLine: 4, acknowledgedBytes: 40, zMM: 0.4,
        layer: 1, fraction: 0.4, etaSeconds: nil, failureReason: nil, submittedAtMS: 0, endedAtMS: nil)

    @Test func pauseIsAcceptedWithTheJobAndTheEventNamesTheFleetCommand() async throws {
        let rig = try FleetCommandRig()
        await rig.printers[0].set(state: "printing", job: Self.printingJob)
        let reply = try await rig.reply(to: #"{"id": "c1", "command": "pause", "job": 3}"#)
        #expect(reply["id"] as? String == "c1")
        #expect(reply["command"] as? String == "pause")
        #expect(reply["status"] as? String == "accepted")
        #expect((reply["job"] as? [String: Any])?["id"] as? Int == 3)
        #expect(await rig.printers[0].calls == [#"pause: paused by the fleet (command "c1")"#])
        #expect(await rig.commands.counters(printerID: "mk3s")?.accepted == 1)
    }

    @Test func aCommandThePrinterCannotTakeIsRefusedAndChangesNothing() async throws {
        let rig = try FleetCommandRig()
        await rig.printers[0].set(state: "printing", job: Self.printingJob)
        let start = try await rig.reply(to: #"{"id": 5, "command": "start_job", "job": 3}"#)
        #expect(start["id"] as? Int == 5)
        #expect(start["status"] as? String == "error")
        #expect(errorCode(start) == "busy")
        let wrongJob = try await rig.reply(to: #"{"id": 6, "command": "cancel", "job": 4}"#)
        #expect(errorCode(wrongJob) == "unknown_job")
        #expect(errorMessage(wrongJob) == "printer mk3s has job 3 (printing), not job 4")
        await rig.printers[0].set(state: "idle")
        let pause = try await rig.reply(to: #"{"id": 7, "command": "pause"}"#)
        #expect(errorCode(pause) == "refused")
        #expect(await rig.printers[0].calls.isEmpty)
        #expect(await rig.commands.counters(printerID: "mk3s")?.refused == ["busy": 1, "unknown_job": 1, "refused": 1])
    }

    @Test func aPrinterThisDaemonDoesNotHaveIsNamedInTheRefusal() async throws {
        let rig = try FleetCommandRig()
        let reply = try await rig.reply(to: #"{"id": "x", "command": "pause"}"#, printer: "ender")
        #expect(reply["id"] as? String == "x")
        #expect(errorCode(reply) == "unknown_printer")
        #expect(errorMessage(reply) == "this daemon has no printer `ender`; its printers are mk3s")
        #expect(await rig.commands.counters(printerID: "ender") == nil)
        #expect(await rig.commands.totalCounters().refused == ["unknown_printer": 1])
    }

    @Test func anUnreadablePayloadIsAnsweredWithANullID() async throws {
        let rig = try FleetCommandRig()
        let reply = try await rig.reply(to: "{\"id\": \"c1\", \"command\": \"pause\"")
        #expect(reply["id"] is NSNull)
        #expect(reply["status"] as? String == "error")
        #expect(errorCode(reply) == "bad_json")
        #expect(errorMessage(reply).contains("at byte 31: expected `,` or `}`, found the end of the payload"))
    }

    @Test func aRedeliveredCommandIsNeitherCarriedOutNorAnsweredTwice() async throws {
        let rig = try FleetCommandRig()
        await rig.printers[0].set(state: "printing", job: Self.printingJob)
        let payload = #"{"id": "c1", "command": "emergency_stop"}"#
        #expect(await rig.send(payload).count == 1)
        #expect(await rig.send(payload).isEmpty)
        #expect(await rig.printers[0].calls.count == 1)
        #expect(await rig.commands.counters(printerID: "mk3s")?.duplicates == 1)
        // The same id with another payload is another command (the sender fixed a refused one).
        #expect(await rig.send(#"{"id": "c1", "command": "status_request"}"#).count == 1)
    }

    @Test func gcodeIsQueuedInOrderAndLimitedWhilePrinting() async throws {
        let rig = try FleetCommandRig()
        let first = try await rig.reply(to: #"{"id": 1, "command": "gcode", "lines": ["G28 ; home", "G1 Z10"]}"#)
        #expect(first["status"] as? String == "accepted")
        #expect(first["lines"] as? Int == 2)
        #expect(try await rig.reply(to: #"{"id": 2, "command": "set_temperature", "heater": "T0", "target_celsius": 215}"#)["gcode"] as? String == "M104 T0 S215")
        try await waitUntil { await rig.printers[0].calls.count == 2 }
        #expect(await rig.printers[0].calls == ["send G28 | G1 Z10", "send M104 T0 S215"])

        await rig.printers[0].set(state: "printing", job: Self.printingJob)
        let move = try await rig.reply(to: #"{"id": 3, "command": "gcode", "lines": ["M106 S255", "G28"]}"#)
        #expect(errorCode(move) == "busy")
        #expect(errorMessage(move).contains("`G28` (lines[1]) is not in `gcode_allow_while_printing`"))
        let tune = try await rig.reply(to: #"{"id": 4, "command": "gcode", "lines": ["M220 S110"]}"#)
        #expect(tune["status"] as? String == "accepted")
        try await waitUntil { await rig.printers[0].calls.count == 3 }
        #expect(await rig.printers[0].calls.last == "send M220 S110")
    }

    @Test func aTemperatureAboveTheProfileIsRefused() async throws {
        let rig = try FleetCommandRig()
        let reply = try await rig.reply(to: #"{"id": 1, "command": "set_temperature", "heater": "B", "target_celsius": 150}"#)
        #expect(errorCode(reply) == "refused")
        #expect(errorMessage(reply) == "`target_celsius` 150.0 is above the B limit of printer mk3s's profile (110.0 °C)")
        #expect((reply["error"] as? [String: Any])?["field"] as? String == "target_celsius")
    }

    @Test func anOfflinePrinterTakesNoGCodeNorEmergencyStop() async throws {
        let rig = try FleetCommandRig()
        await rig.printers[0].set(state: "offline")
        #expect(errorCode(try await rig.reply(to: #"{"id": 1, "command": "emergency_stop"}"#)) == "not_connected")
        #expect(errorCode(try await rig.reply(to: #"{"id": 2, "command": "gcode", "lines": ["M105"]}"#)) == "not_connected")
        #expect(await rig.printers[0].calls.isEmpty)
    }

    @Test func statusRequestAnswersWithThePrinterStatus() async throws {
        let rig = try FleetCommandRig()
        await rig.printers[0].set(state: "printing", job: Self.printingJob)
        let reply = try await rig.reply(to: #"{"id": 1, "command": "status_request"}"#)
        #expect(reply["status"] as? String == "done")
        let status = try #require(reply["printer_status"] as? [String: Any])
        #expect(status["state"] as? String == "printing")
        #expect((status["job"] as? [String: Any])?["z_mm"] as? Double == 0.4)
        #expect((reply["commands"] as? [String: Any])?["received"] as? Int == 1)
    }

    @Test func countersAreSeparatePerPrinter() async throws {
        let rig = try FleetCommandRig(printers: ["a", "b"])
        _ = await rig.send(#"{"id": 1, "command": "status_request"}"#, printer: "a")
        _ = await rig.send("garbage", printer: "b")
        _ = await rig.send(#"{"id": 1, "command": "nope"}"#, printer: "b")
        #expect(await rig.commands.counters(printerID: "a") == FleetCommandCounters(received: 1, accepted: 1))
        #expect(await rig.commands.counters(printerID: "b") == FleetCommandCounters(received: 2, refused: ["bad_json": 1, "unknown_command": 1]))
        #expect(await rig.commands.totalCounters().received == 3)
    }
}

/// Polls `condition` every 10 ms; gives up after five minutes (a hang guard, not a timing expectation).
func waitUntil(_ condition: () async -> Bool) async throws {
    // A hang guard: under a loaded full suite the cooperative pool can be busy for minutes.
    let deadline = ContinuousClock.now + .seconds(300)
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw TestFailure("condition still false after five minutes") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
