import Foundation
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// The daemon's log through the real binaries: journald's format on the journal's stream
/// only, and `printedge logs` reading a journal (a recorded `journalctl -o json`, served by a
/// stand-in `journalctl` on `PATH`) or a plain file back, filtered by printer and job.
@Suite struct LogsCommandTests {
    static let recording = repositoryRoot.appendingPathComponent("Tests/PrintEdgeJournalTests/journalctl-printedged.json").path

    /// The journal tells a job's story, one line per event with the printer and the job as
    /// fields, and the link's coming up.
    @Test func aJobsLifeIsInTheJournalWithItsPrinterAndJob() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], speedup: 50)
        let small = scratch.file("small.gcode")
        try SampleGCode.write(["G28"] + SampleGCode.distinctMoves(count: 50), to: small)
        #expect(try await daemon.cli(["jobs", "submit", small, "--start"]).status == 0)
        #expect(try await daemon.waitForJob(1)["state"] as? String == "completed")
        #expect(try await daemon.cli(["jobs", "submit", DaemonIntegrationTests.cube, "--start"]).status == 0)
        #expect(try await daemon.cli(["jobs", "cancel", "2"]).status == 0)
        _ = try await daemon.waitForJob(2)
        await daemon.terminate()
        let lines = daemon.logText.split(separator: "\n")
        for (job, event) in [(1, "submitted"), (1, "started"), (1, "completed"), (2, "submitted"), (2, "started"), (2, "cancelled")] {
            let line = lines.first { $0.contains("job \(job) \(event)") }
            #expect(line?.contains("printer=sim") == true && line?.contains("job=\(job)") == true, "job \(job) \(event): \(line ?? "missing")")
            // Written by the daemon's journal handler, as every other line of the story.
            #expect(line?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|notice|warning) "#, options: .regularExpression) != nil,
                    "job \(job) \(event): \(line ?? "missing")")
        }
        #expect(lines.contains { $0.contains("printer=sim") && $0.contains("link up: Marlin") }, "\(daemon.logText)")
    }

    @Test func onTheJournalsStreamTheDaemonWritesPrioritiesElseTimesAndLevels() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"])
        await daemon.terminate()
        let plain = daemon.logText.split(separator: "\n")
        let ready = try #require(plain.first { $0.contains(" ready: control socket") })
        #expect(ready.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info printedged [0-9.]+ ready"#, options: .regularExpression) != nil, "\(ready)")

        // As systemd starts it: JOURNAL_STREAM names the stream standard error is on.
        let log = scratch.file("journal-stream.log")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        var info = stat()
        try #require(fstat(handle.fileDescriptor, &info) == 0)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("printedged")
        process.arguments = ["--config", daemon.configPath, "--log-level", "notice"]
        process.environment = ProcessInfo.processInfo.environment.merging(["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]) { $1 }
        process.standardError = handle
        process.standardOutput = handle
        let exit = ProcessExit(of: process)
        try process.run()
        try await daemon.waitUntil("the daemon answers") { try await daemon.cli(["status"]).status == 0 }
        kill(process.processIdentifier, SIGTERM)
        _ = await exit.wait()
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil || $0.hasPrefix("printedge-sim:") }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("<6>") || $0.hasPrefix("<7>") }, "--log-level notice leaves info and debug out: \(lines)")

        let refused = try await runProduct("printedged", ["--log-level", "chatty"])
        #expect(refused.status == 64)
        #expect(refused.standardError.contains("'chatty' is invalid for '--log-level <level>'"), "\(refused.standardError)")
    }

    @Test func logsReadsTheJournalThroughJournalctlAndFiltersByPrinterAndJob() async throws {
        let scratch = try TemporaryDirectory()
        let bin = scratch.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let arguments = scratch.file("journalctl-arguments")
        let stub = bin + "/journalctl"
        try "#!/bin/sh\necho \"$@\" > \(arguments)\ncat \(Self.recording)\n".write(toFile: stub, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub)
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

        let job = try await runPrintedge(["logs", "--printer", "mk3s", "--job", "12"], environment: ["PATH": path])
        #expect(job.status == 0, "\(job.standardError)")
        let lines = job.standardOutput.split(separator: "\n")
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.last?.hasSuffix(" notice printer=mk3s job=12: paused at layer 5: the door opened") == true, "\(lines)")
        #expect(try String(contentsOfFile: arguments, encoding: .utf8) == "-u printedged -o json --no-pager\n")

        let since = try await runPrintedge(["logs", "--since", "2026-12-07T16:23:18", "--level", "warning", "--json"], environment: ["PATH": path])
        #expect(since.status == 0, "\(since.standardError)")
        let records = try since.standardOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.map { $0["printer"] as? String } == ["ender", "ender", "mk3s"])
        #expect(records.first?["job"] as? Int == 7)
        #expect(records.first?["time"] is String)
        #expect(try String(contentsOfFile: arguments, encoding: .utf8) == "-u printedged -o json --no-pager --since @1796660598\n")
    }

    @Test func logsReadsAPlainFileAndFollowsIt() async throws {
        let scratch = try TemporaryDirectory()
        let file = scratch.file("printedged.log")
        try """
            2025-03-01T14:05:10.000Z info printedged ready: control socket /run/printedge/printedged.sock
            2025-03-01T14:05:12.345Z warning printer=mk3s job=3: paused at layer 5: the door opened
            Fatal error: a backtrace line

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let read = try await runPrintedge(["logs", "--file", file, "--printer", "mk3s"])
        #expect(read.status == 0, "\(read.standardError)")
        #expect(read.standardOutput == "2025-03-01T14:05:12.345Z warning printer=mk3s job=3: paused at layer 5: the door opened\n")

        let missing = try await runPrintedge(["logs", "--file", scratch.file("none.log")])
        #expect(missing.status == 66)
        let badTime = try await runPrintedge(["logs", "--since", "last tuesday"])
        #expect(badTime.status == 64)

        // --follow: a line appended later is printed, as it comes; the command runs until stopped.
        let output = scratch.file("followed.out")
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("printedge")
        process.arguments = ["logs", "--file", file, "--follow", "--job", "4"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        let exit = ProcessExit(of: process)
        try process.run()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("2025-03-01T14:06:00.000Z notice printer=mk3s job=4: started\n".utf8))
        try handle.close()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, !((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("job=4") {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!exit.hasExited, "--follow keeps waiting")
        // SIGKILL: a child of the test runner inherits its blocked SIGINT and SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.wait()
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "2025-03-01T14:06:00.000Z notice printer=mk3s job=4: started\n")
    }
}
