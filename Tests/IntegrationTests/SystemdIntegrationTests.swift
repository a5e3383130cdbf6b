import Foundation
import PrintEdgeTestSupport
import Testing

/// The unit file is valid for systemd, and the daemon speaks the notify protocol.
@Suite(.serialized) struct SystemdIntegrationTests {
    @Test func theUnitFilePassesSystemdAnalyzeVerify() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is installed by ./run (package systemd)")
        let scratch = try TemporaryDirectory()
        let unit = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/printedged.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/printedged", with: productsDirectory.appendingPathComponent("printedged").path)
        let path = scratch.file("printedged.service")
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await ToolRun(analyze, ["verify", path])
        let text = run.standardOutput + run.standardError
        #expect(run.status == 0, "\(text)")
        #expect(!text.contains("printedged.service:"), "\(text)")
    }

    /// The harness itself waits for `READY=1` and the printers' `STATUS=` line (see
    /// `DaemonProcess.start`); here the order and the watchdog.
    @Test func theDaemonSaysReadyWithItsPrintersThenFeedsTheWatchdog() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], environment: ["WATCHDOG_USEC": "400000"])
        // Sleeps with `Task.sleep` between looks, so the wait holds no thread of the
        // cooperative pool; the deadline is a hang guard.
        let deadline = ContinuousClock.now + .seconds(20)
        while !daemon.notifyMessages.contains(where: { $0.contains("WATCHDOG=1") }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let messages = daemon.notifyMessages
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=printers: sim ") == true, "\(messages)")
        #expect(messages.contains("STATUS=printers: sim idle"), "\(messages)")
        #expect(messages.contains { $0.contains("WATCHDOG=1") }, "\(messages)")
        // The kick carries the printers' states, and the health verdict's summary if not ready.
        #expect(messages.contains { $0.hasPrefix("WATCHDOG=1\nSTATUS=printers: sim ") }, "\(messages)")
        await daemon.terminate()
        #expect(daemon.notifyMessages.last == "STOPPING=1", "\(daemon.notifyMessages)")
    }
}
