import Foundation
import PrintEdgeControl
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// `printedge jobs follow` and `watch` through the real CLI against a real daemon and its
/// simulator: piped lines flushed as they happen, a terminal view redrawn in place, the job's
/// outcome as the exit status, and every view showing the same job alike.
@Suite(.serialized) struct JobsFollowTests {
    /// A print with layers (so a layer shows), long enough at this speedup for a pause.
    static func job(in scratch: TemporaryDirectory) throws -> String {
        let path = scratch.file("part.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 30), to: path)
        return path
    }

    static func startPaused(_ daemon: DaemonProcess, _ path: String) async throws {
        let started = try await daemon.cli(["jobs", "submit", path, "--start"])
        #expect(started.status == 0, "\(started.standardError)")
        try await DaemonJobControlTests.waitUntilPrinting(job: 1, pastLine: 400, daemon)
        #expect(try await daemon.cli(["jobs", "pause", "1"]).status == 0)
        _ = try await DaemonJobControlTests.waitUntilParked(daemon, log: daemon.execLogPath("mk"))
    }

    @Test func followIntoAPipeWritesEachLineAsItHappensAndExitsZeroWhenTheJobCompletes() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        try await Self.startPaused(daemon, try Self.job(in: scratch))

        let follow = try BackgroundCommand(["jobs", "follow", "--socket", daemon.socketPath])
        // The job cannot end while paused: a line read now was flushed by a running follow.
        let paused = try await follow.waitForLine("the paused job") { $0.contains("#1  mk  paused for") }
        #expect(follow.isRunning)
        #expect(paused.contains("layer ") && paused.contains("Z ") && paused.contains("T0 ") && paused.contains("ETA "), "\(paused)")
        #expect(try await daemon.cli(["jobs", "resume", "1"]).status == 0)
        let status = await follow.finish()
        #expect(status == 0, "\(follow.lines)")
        #expect(follow.lines.last { !$0.isEmpty }?.contains("#1  mk  completed  100.0 %") == true, "\(follow.lines)")
        #expect(follow.lines.contains { $0.contains("  printing  ") }, "the resumed run shows: \(follow.lines)")
        await daemon.terminate()
    }

    @Test func aCancelledJobEndsItsFollowWithStatusTwo() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        try await Self.startPaused(daemon, try Self.job(in: scratch))
        let follow = try BackgroundCommand(["jobs", "follow", "1", "--printer", "mk", "--json", "--socket", daemon.socketPath])
        let first = try await follow.waitForLine("the job as JSON") { $0.hasPrefix("{") }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect(document["schema"] as? Int == 1)
        #expect((document["job"] as? [String: Any])?["phase"] as? String == "paused")
        #expect(try await daemon.cli(["jobs", "cancel", "1"]).status == 0)
        #expect(await follow.finish() == 2)
        await daemon.terminate()
    }

    @Test func statusAndJobsListShowTheSameJobAndAPausedETAStandsStill() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        try await Self.startPaused(daemon, try Self.job(in: scratch))

        let fromStatus = try #require(try await daemon.printerJSON("mk")["job"] as? [String: Any])
        let fromList = try await daemon.jobJSON(1)
        for key in ["state", "phase", "phase_since", "layer", "z_mm", "fraction", "acknowledged_source_line", "eta_s", "printing_s", "started_at"] {
            #expect("\(fromStatus[key] ?? "absent")" == "\(fromList[key] ?? "absent")", "\(key): status \(fromStatus[key] ?? "-"), jobs list \(fromList[key] ?? "-")")
        }
        #expect(fromStatus["phase"] as? String == "paused")
        #expect(fromStatus["layer"] as? Int ?? 0 > 0)
        let eta = try #require(fromStatus["eta_s"] as? Double)
        // Later reads (each one a new look at the clock) give the same ETA while paused.
        try await daemon.waitUntil("a second has passed on the job's clock") {
            let later = try await daemon.printerJSON("mk")["job"] as? [String: Any]
            #expect(later?["eta_s"] as? Double == eta, "the ETA of a paused job does not move")
            #expect(later?["printing_s"] as? Double == fromStatus["printing_s"] as? Double)
            let since = (later?["phase_since"] as? String).flatMap(ControlTime.ms)
            return since.map { Int64(Date().timeIntervalSince1970 * 1000) - $0 > 1000 } ?? true
        }
        let status = try await daemon.cli(["status"]).standardOutput
        let list = try await daemon.cli(["jobs", "list"]).standardOutput
        let statusLine = try #require(status.split(separator: "\n").first { $0.contains("job #1") })
        let listLine = try #require(list.split(separator: "\n").first { $0.hasPrefix("#1 ") })
        #expect(statusLine.contains("paused for") && statusLine.contains("layer "), "\(statusLine)")
        #expect(Self.withoutPauseAge(String(statusLine.dropFirst("  job ".count))) == Self.withoutPauseAge(String(listLine)))
        await daemon.terminate()
    }

    @Test func followOnATerminalRedrawsItsViewInPlace() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        try await Self.startPaused(daemon, try Self.job(in: scratch))
        let printedge = productsDirectory.appendingPathComponent("printedge").path
        let terminal = try await TerminalSession("\(printedge) jobs follow --socket \(daemon.socketPath)", columns: 90, rows: 20)
        let paused = try await terminal.waitForScreen(containing: "— paused for")
        #expect(paused[0].hasPrefix("#1 part.gcode on mk — paused for"), "\(paused)")
        #expect(paused[1].hasPrefix("[") && paused[1].contains("%  layer ") && paused[1].contains("Z "), "\(paused)")
        #expect(paused[2].hasPrefix("T0 ") && paused[2].contains("B "), "\(paused)")
        #expect(paused[3].hasPrefix("elapsed ") && paused[3].contains("ETA "), "\(paused)")
        #expect(try await daemon.cli(["jobs", "resume", "1"]).status == 0)
        let ended = try await terminal.waitForScreen(containing: "EXIT=")
        #expect(ended[0] == "#1 part.gcode on mk — completed", "\(ended)")
        #expect(ended.filter { $0.hasPrefix("#1 ") }.count == 1, "one view, redrawn in place: \(ended)")
        #expect(ended.contains("EXIT=0"))
        await terminal.close()
        await daemon.terminate()
    }

    @Test func watchIntoAPipeWritesALinePerPrinterAsItChanges() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["left", "right"], speedup: DaemonJobControlTests.speedup)
        let watch = try BackgroundCommand(["watch", "--socket", daemon.socketPath])
        try await watch.waitForLine("both printers") { _ in
            watch.lines.contains { $0.contains("  left  idle") } && watch.lines.contains { $0.contains("  right  idle") }
        }
        let path = scratch.file("part.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 3), to: path)
        #expect(try await daemon.cli(["jobs", "submit", path, "--printer", "right", "--start"]).status == 0)
        try await watch.waitForLine("the job's progress") { $0.contains("#1  right  ") }
        #expect(watch.isRunning)
        await daemon.terminate()
    }

    /// "paused for 3 s" → "paused": two reads a second apart say the same otherwise.
    static func withoutPauseAge(_ line: String) -> String {
        line.replacing(/paused for [0-9]+ (s|min)/, with: "paused")
    }
}
