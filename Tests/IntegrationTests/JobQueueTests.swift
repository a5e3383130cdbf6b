import Foundation
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// The queue and its history through the real CLI: a job taken off the queue takes its
/// spooled file with it (unless another job prints the same file), a reprint repeats a job
/// from its file or says why it cannot, `jobs show` tells a job's story, and a recovery —
/// which heats and moves — is confirmed by a person or, from a script, by `--yes`.
@Suite(.serialized) struct JobQueueTests {
    @Test func removeCancelReprintAndShowKeepTheSpoolInStep() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        let job = try DaemonJobControlTests.job(in: scratch)
        #expect(try await daemon.cli(["jobs", "submit", job.path]).status == 0)
        #expect(try await daemon.cli(["jobs", "submit", job.path]).status == 0)
        let spooled = try await Self.spoolFile(of: 1, daemon)
        #expect(try await Self.spoolFile(of: 2, daemon) == spooled, "the same content is one spooled file")

        let first = try await daemon.cli(["jobs", "remove", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "cancelled")
        #expect(FileManager.default.fileExists(atPath: spooled), "job 2 still prints from it")
        #expect(try await daemon.cli(["jobs", "remove", "2"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: spooled), "the last job using it took it")
        let gone = try await daemon.cli(["jobs", "reprint", "2"])
        #expect(gone.status == 66, "\(gone.standardError)")
        #expect(gone.standardError.contains("spooled file is gone"), "\(gone.standardError)")
        let unnamed = try await daemon.cli(["jobs", "remove"])
        #expect(unnamed.status == 64 && unnamed.standardError.contains("name the job"), "\(unnamed.standardError)")

        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await DaemonJobControlTests.waitUntilPrinting(job: 3, pastLine: 200, daemon)
        let busy = try await daemon.cli(["jobs", "remove", "3"])
        #expect(busy.status == 75, "\(busy.standardError)")
        #expect(busy.standardError.contains("cancel it first (`printedge jobs cancel 3`)"), "\(busy.standardError)")
        #expect(try await daemon.waitForJob(3)["state"] as? String == "completed")

        let reprint = try await daemon.cli(["jobs", "reprint", "3", "--json"])
        #expect(reprint.status == 0, "\(reprint.standardError)")
        let reprinted = try #require(try jsonDocument(reprint.standardOutput)["job"] as? [String: Any])
        #expect(reprinted["id"] as? Int == 4 && reprinted["state"] as? String == "queued")
        #expect(reprinted["layers"] as? Int == (try await daemon.jobJSON(3))["layers"] as? Int)
        #expect(try await daemon.cli(["jobs", "start", "4"]).status == 0)
        #expect(try await daemon.waitForJob(4)["state"] as? String == "completed")

        let shown = try await daemon.cli(["jobs", "show", "3", "--json"])
        #expect(shown.status == 0, "\(shown.standardError)")
        let history = try jsonDocument(shown.standardOutput)
        let events = history["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["kind"] as? String } == ["submitted", "started", "completed"])
        #expect(events.allSatisfy { $0["at"] is String })
        #expect((history["job"] as? [String: Any])?["printing_s"] as? Double ?? 0 > 0)
        #expect(history["file_kept"] as? Bool == true)
        let text = try await daemon.cli(["jobs", "show", "4"])
        #expect(text.standardOutput.contains("submitted: a reprint of job 3"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("took "), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("file kept"), "\(text.standardOutput)")

        // Finished jobs keep their record; removing both lets the file go.
        #expect(try await daemon.cli(["jobs", "remove", "3"]).status == 0)
        #expect(try await daemon.cli(["jobs", "remove", "4"]).status == 0)
        #expect(try await daemon.jobJSON(4)["state"] as? String == "completed")
        #expect(!FileManager.default.fileExists(atPath: spooled))
        #expect(try await daemon.cli(["jobs", "show", "4"]).standardOutput.contains("file deleted"))

        // Cancelling a queued job deletes its file too.
        let other = scratch.file("other.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 20), to: other)
        #expect(try await daemon.cli(["jobs", "submit", other]).status == 0)
        let otherSpooled = try await Self.spoolFile(of: 5, daemon)
        #expect(try await daemon.cli(["jobs", "cancel", "5"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: otherSpooled))
        await daemon.terminate()
    }

    @Test func recoverAsksOnATerminalAndNeedsYesWhenPiped() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        let job = try DaemonJobControlTests.job(in: scratch)
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await DaemonJobControlTests.waitUntilPrinting(job: 1, pastLine: 300, daemon)
        await daemon.terminate()
        try await daemon.start()
        #expect(try await daemon.jobJSON(1)["state"] as? String == "interrupted")

        let status = try await daemon.cli(["status"])
        #expect(status.standardOutput.contains("interrupted: job 1 job.gcode"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("`printedge jobs recover 1` restarts it from that layer, `printedge jobs cancel 1` dismisses it"),
                "\(status.standardOutput)")
        let statusJSON = try jsonDocument(try await daemon.cli(["status", "--json"]).standardOutput)
        #expect((statusJSON["interrupted_jobs"] as? [[String: Any]])?.map { $0["id"] as? Int } == [1])

        let piped = try await daemon.cli(["jobs", "recover", "1"])
        #expect(piped.status == 64, "\(piped.standardError)")
        #expect(piped.standardError.contains("add --yes"), "\(piped.standardError)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "interrupted")

        let printedge = productsDirectory.appendingPathComponent("printedge").path
        let terminal = try await TerminalSession("\(printedge) jobs recover 1 --socket \(daemon.socketPath)")
        _ = try await terminal.waitForScreen(containing: "[y/N]")
        try await terminal.type("n", "Enter")
        let declined = try await terminal.waitForScreen(containing: "EXIT=")
        await terminal.close()
        #expect(declined.contains { $0.contains("not recovered") }, "\(declined)")
        #expect(declined.contains("EXIT=75"), "\(declined)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "interrupted")

        let confirmed = try await daemon.cli(["jobs", "recover", "1", "--yes"])
        #expect(confirmed.status == 0, "\(confirmed.standardError)")
        #expect(try await daemon.waitForJob(1, toLeave: ["printing", "interrupted"])["state"] as? String == "completed")
        await daemon.terminate()
    }

    @Test func nextStartsTheHeadOfTheQueueOnlyOnceTheBedIsCleared() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let small = scratch.file("small.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 30), to: small)
        #expect(try await daemon.cli(["jobs", "submit", small, "--name", "first"]).status == 0)
        #expect(try await daemon.cli(["jobs", "submit", small, "--name", "second"]).status == 0)

        let piped = try await daemon.cli(["jobs", "next"])
        #expect(piped.status == 64, "\(piped.standardError)")
        #expect(piped.standardError.contains("--bed-cleared"), "\(piped.standardError)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "queued")

        let cleared = try await daemon.cli(["jobs", "next", "--bed-cleared"])
        #expect(cleared.status == 0, "\(cleared.standardError)")
        #expect(cleared.standardOutput.contains("#1"), "the head of the queue: \(cleared.standardOutput)")
        #expect(try await daemon.waitForJob(1)["state"] as? String == "completed")
        #expect(try await daemon.jobJSON(2)["state"] as? String == "queued", "nothing starts by itself after a print")
        #expect(try await daemon.cli(["jobs", "next", "--bed-cleared"]).status == 0)
        #expect(try await daemon.waitForJob(2)["state"] as? String == "completed")
        let empty = try await daemon.cli(["jobs", "next", "--bed-cleared"])
        #expect(empty.status == 75 && empty.standardError.contains("no queued job"), "\(empty.standardError)")
        await daemon.terminate()
    }

    /// The spooled file of job `id`: `<state>/spool/<sha256>.gcode`.
    static func spoolFile(of id: Int, _ daemon: DaemonProcess) async throws -> String {
        let sha = try #require(try await daemon.jobJSON(id)["sha256"] as? String)
        let path = daemon.stateDirectory + "/spool/\(sha).gcode"
        #expect(FileManager.default.fileExists(atPath: path))
        return path
    }
}

/// A pretty-printed `--json` document.
func jsonDocument(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
}
