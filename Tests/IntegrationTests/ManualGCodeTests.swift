import Foundation
import PrintEdgeFixtures
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// `printedge send` at the printer: nothing a person types moves a printing printer unless
/// forced, limits hold, the printer's own refusals are errors, and only the lines' own replies
/// come back. The simulator's execution log is the witness of what reached the firmware.
@Suite(.serialized) struct ManualGCodeTests {
    @Test func underAJobOnlyTuningGoesThroughAndAForcedLineIsRecorded() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        let job = try DaemonJobControlTests.job(in: scratch)
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await DaemonJobControlTests.waitUntilPrinting(job: 1, pastLine: 200, daemon)

        let homing = try await daemon.cli(["send", "--printer", "mk", "M117 HELLO", "G28"])
        #expect(homing.status != 0)
        #expect(homing.standardError.contains("`G28` may move or change the printer under the job"), "\(homing.standardError)")
        #expect(homing.standardError.contains("--force"))

        let message = try await daemon.cli(["send", "--printer", "mk", "M117 HELLO"])
        #expect(message.status == 0, "\(message.standardError)")
        #expect(!message.standardOutput.contains("ok"), "the job's oks are not shown: \(message.standardOutput)")

        let forced = try await daemon.cli(["send", "--printer", "mk", "--force", "M220 S100", "G4 P1"])
        #expect(forced.status == 0, "\(forced.standardError)")

        #expect(try await daemon.waitForJob(1)["state"] as? String == "completed")
        await daemon.terminate()
        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(daemon.execLogPath("mk")))
        #expect(!executed.contains("G28"), "the refused batch sent nothing")
        #expect(executed.filter { $0 == "M117 HELLO" }.count == 1)
        #expect(executed.contains("G4 P1"))
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        let note = try #require(try store.events(jobID: 1).first { $0.kind == .gcodeForced })
        #expect(note.fromState == .printing && note.toState == .printing)
        #expect(note.detail == "forced under the job by a person: G4 P1")
    }

    @Test func limitsHoldAndThePrintersRefusalIsAnError() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])

        let tooHot = try await daemon.cli(["send", "--printer", "mk", "M104 S300"])
        #expect(tooHot.status != 0)
        #expect(tooHot.standardError.contains("`M104 S300` asks for 300 °C, above the hotend's maximum of 260 °C"), "\(tooHot.standardError)")
        let outside = try await daemon.cli(["send", "--printer", "mk", "G28", "G1 X500 F3000"])
        #expect(outside.standardError.contains("outside the build volume"), "\(outside.standardError)")

        let unknown = try await daemon.cli(["send", "--printer", "mk", "G999"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("Unknown command"), "\(unknown.standardError)")

        let position = try await daemon.cli(["send", "--printer", "mk", "M114"])
        #expect(position.status == 0)
        #expect(position.standardOutput.split(separator: "\n").map(String.init) == ["X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0"],
                "the line's own reply, once, without its ok: \(position.standardOutput)")
        await daemon.terminate()
        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(daemon.execLogPath("mk")))
        #expect(!executed.contains("M104 S300") && !executed.contains("G28"), "a refused batch sends nothing: \(executed)")
    }
}
