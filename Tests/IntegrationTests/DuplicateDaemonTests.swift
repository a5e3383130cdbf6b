import Foundation
import PrintEdgeTestSupport
import Testing

/// Two `printedged` on one state directory, through the real binaries: the second refuses
/// before it touches anything, and the first prints on undisturbed.
@Suite struct DuplicateDaemonTests {
    @Test func aSecondDaemonRefusesAndTheFirstPrintsItsJobToTheEnd() async throws {
        let scratch = try TemporaryDirectory()
        let first = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: 20)
        let pid = first.pid
        let started = try await first.cli(["jobs", "submit", DaemonIntegrationTests.cube, "--start"])
        #expect(started.status == 0, "\(started.standardError)")
        try await first.waitUntil("the job is well under way") {
            let job = try await first.jobJSON(1)
            return job["state"] as? String == "printing" && (job["acknowledged_source_line"] as? Int ?? 0) > 200
        }

        let checked = try await runProduct("printedged", ["--config", first.configPath, "--check-config"], limit: .seconds(60))
        #expect(checked.status == 0, "a running daemon is no mistake in the configuration: \(checked.standardError)")
        #expect(checked.standardOutput.contains(
            "note: printedged is already running (pid \(pid)), state in \(first.stateDirectory); a start now would be refused (exit 75)"),
            "\(checked.standardOutput)")

        let second = try await runProduct("printedged", ["--config", first.configPath], limit: .seconds(60))
        #expect(second.status == 75)
        #expect(second.standardError == "printedged: already running (pid \(pid)), state in \(first.stateDirectory): another printedged holds \(first.stateDirectory)/printedged.lock; stop it first, or give this one its own `state_directory`\n")
        #expect(try await first.jobJSON(1)["state"] as? String == "printing", "the job was printing while the second daemon came and went")

        // Its socket and its printer's link are still there, and the socket answers.
        #expect(FileManager.default.fileExists(atPath: first.socketPath))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: first.stateDirectory + "/mk.tty")) != nil)
        let status = try await first.cli(["status"])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(status.standardOutput.contains("mk  printing"), "\(status.standardOutput)")

        let job = try await first.waitForJob(1)
        #expect(job["state"] as? String == "completed", "\(job) \(first.logText)")
        #expect(try await first.cli(["status"]).status == 0, "the socket answers after the job")
        await first.terminate()
        #expect(!first.logText.contains("cannot go from"), "\(first.logText)")
        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(first.execLogPath("mk")))
        #expect(executed == (try normalisedCommands(ofFile: DaemonIntegrationTests.cube)), "every line once, in order")
    }
}
