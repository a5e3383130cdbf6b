import Foundation
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// The daemon's wire log: `printedge log serial --follow` shows a running job's traffic with
/// the file's own text, and a printer's `serial_log` keeps it in a file that rotates.
@Suite(.serialized) struct SerialLogDaemonTests {
    @Test func followingShowsARunningJobsTrafficAndTheFileKeepsIt() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: 50,
                                             printerKeys: ["mk": "serial_log = \"mk.serial.log\"\nserial_log_max_mb = 1"])
        let file = scratch.file("logged.gcode")
        try SampleGCode.write(["G28 ; home all axes"] + SampleGCode.distinctMoves(count: 400), to: file)

        let follower = try ChildProcess(productsDirectory.appendingPathComponent("printedge").path,
                                        ["log", "serial", "--printer", "mk", "--follow", "--socket", daemon.socketPath])
        try await daemon.waitUntil("the follower is attached") {
            // Its request reaches the daemon before any job line: a status poll keeps the link talking.
            _ = try await daemon.cli(["send", "--printer", "mk", "M105"])
            return follower.output.contains("> N")
        }
        #expect(try await daemon.cli(["jobs", "submit", file, "--start"]).status == 0)
        try await follower.waitForOutput(containing: "   ; 1: G28 ; home all axes")
        try await follower.waitForOutput(containing: "< ok")
        #expect(try await daemon.waitForJob(1)["state"] as? String == "completed")
        await follower.stop(with: SIGINT)
        let followed = follower.output.split(separator: "\n")
        #expect(followed.allSatisfy { $0.range(of: #"^ *\d+\.\d{6} [<>#] "#, options: .regularExpression) != nil }, "every line stamped: \(followed.prefix(3))")

        let tail = try await daemon.cli(["log", "serial", "--printer", "mk", "--lines", "3"])
        #expect(tail.status == 0, "\(tail.standardError)")
        #expect(tail.standardOutput.split(separator: "\n").count == 3)
        let kept = try String(contentsOfFile: daemon.stateDirectory + "/mk.serial.log", encoding: .utf8)
        #expect(kept.contains("# opening "))
        #expect(kept.contains("   ; 400: "), "the job's last line is in the file")
        await daemon.terminate()
    }

    @Test func withoutAFileTheTailSaysHowToKeepOne() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let tail = try await daemon.cli(["log", "serial", "--printer", "mk"])
        #expect(tail.status != 0)
        #expect(tail.standardError.contains("no serial log is kept for printer mk: set `serial_log`"), "\(tail.standardError)")
        await daemon.terminate()
    }
}
