import Foundation
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// `printedge backup` while a job prints on a real daemon and its virtual printer, then
/// `printedge restore` with the daemon stopped: the copy is consistent, and the history it
/// brings back is the one it holds.
@Suite(.serialized) struct BackupRestoreIntegrationTests {
    /// Every job and job event, as the history compared before and after.
    static func history(_ store: Store) throws -> [String] {
        try store.jobs(printerID: nil, states: nil, limit: 1_000).sorted { ($0.id ?? 0) < ($1.id ?? 0) }.flatMap { job in
            ["job \(job.id ?? 0) \(job.state.rawValue) line \(job.lastAckedSourceLine)"]
                + (try store.events(jobID: job.id ?? 0)).map { "  \($0.kind.rawValue) at \($0.atMS)" }
        }
    }

    @Test func aBackupTakenWhilePrintingRestoresTheHistoryItHolds() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: 20)
        let started = try await daemon.cli(["jobs", "submit", DaemonIntegrationTests.cube, "--start"])
        #expect(started.status == 0, "\(started.standardError)")
        try await daemon.waitUntil("the job is well under way") {
            let job = try await daemon.jobJSON(1)
            return job["state"] as? String == "printing" && (job["acknowledged_source_line"] as? Int ?? 0) > 300
        }

        let backup = scratch.file("backup.sqlite")
        let taken = try await daemon.cli(["backup", backup, "--json"])
        #expect(taken.status == 0, "\(taken.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(taken.standardOutput.utf8)) as? [String: Any])
        #expect(report["through_daemon"] as? Bool == true)
        #expect(report["integrity"] as? String == "ok")
        #expect(report["jobs"] as? Int == 1)
        #expect(try await daemon.jobJSON(1)["state"] as? String == "printing", "the print went on through the backup")
        let again = try await daemon.cli(["backup", backup])
        #expect(again.status == 73, "an existing file is not replaced without --force: \(again.standardError)")

        let copy = try Store.inspect(backup)
        #expect(copy.isIntact)
        // Read from a copy of the backup: opening a `Store` brings a file up to date.
        try FileManager.default.copyItem(atPath: backup, toPath: scratch.file("expected.sqlite"))
        let expected = try Self.history(try Store(path: scratch.file("expected.sqlite")))
        #expect(expected.first?.hasPrefix("job 1 printing line ") == true, "\(expected)")

        let refused = try await runPrintedge(["restore", backup, "--config", daemon.configPath])
        #expect(refused.status == 75, "\(refused.standardError)")
        #expect(refused.standardError.contains("printedged (pid \(daemon.pid)) is running on \(daemon.stateDirectory)"),
                "\(refused.standardError)")

        _ = try await daemon.cli(["jobs", "cancel", "1"])
        _ = try await daemon.waitForJob(1, toLeave: ["printing"])
        await daemon.terminate()
        let database = daemon.stateDirectory + "/printedge.sqlite"
        let later = try Self.history(try Store(path: database))
        #expect(later != expected, "the job went on after the backup")

        let restored = try await runPrintedge(["restore", backup, "--config", daemon.configPath])
        #expect(restored.status == 0, "\(restored.standardError)")
        #expect(restored.standardOutput.hasPrefix("restored \(backup) (1 jobs, "), "\(restored.standardOutput)")
        let aside = try #require(try FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory)
            .first { $0.hasPrefix("printedge.sqlite.before-restore-") && !$0.hasSuffix("-wal") })
        let store = try Store(path: database)
        #expect(try store.integrityCheck() == "ok")
        #expect(try Self.history(store) == expected)
        #expect(try Self.history(try Store(path: daemon.stateDirectory + "/" + aside)) == later, "the replaced history is kept aside")

        // Started on the restored database, the daemon finds a job that was printing: interrupted.
        try await daemon.start()
        #expect(try await daemon.jobJSON(1)["state"] as? String == "interrupted")
        await daemon.terminate()
    }

    @Test func aStoppedDaemonsDatabaseIsCopiedDirectly() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let small = scratch.file("small.gcode")
        try "G28\nG1 X10 Y10 F3000\n".write(toFile: small, atomically: true, encoding: .utf8)
        #expect(try await daemon.cli(["jobs", "submit", small]).status == 0)
        await daemon.terminate()

        let backup = scratch.file("direct.sqlite")
        let taken = try await runPrintedge(["backup", backup, "--config", daemon.configPath, "--socket", daemon.socketPath])
        #expect(taken.status == 0, "\(taken.standardError)")
        #expect(taken.standardOutput.hasSuffix("directly: printedged is not running\n"), "\(taken.standardOutput)")
        #expect(try Store.inspect(backup).jobs == 1)

        // To standard output, for `ssh host printedge backup - > copy.sqlite`: the database's bytes.
        let copy = scratch.file("streamed.sqlite")
        let printedge = productsDirectory.appendingPathComponent("printedge").path
        let streamed = try await ToolRun("/bin/sh", ["-c", "\"$0\" backup - --config \"$1\" --socket \"$2\" > \"$3\"",
                                                     printedge, daemon.configPath, daemon.socketPath, copy])
        #expect(streamed.status == 0, "\(streamed.standardError)")
        #expect(streamed.standardError.hasPrefix("backed up "), "the report goes to standard error: \(streamed.standardError)")
        #expect(try Store.inspect(copy).jobs == 1)
    }
}
