import Foundation
import PrintEdgeTestSupport
import Testing

/// The profile's `[gcode] start` runs before a job's first line, and only before a start.
@Suite struct StartScriptTests {
    @Test func theProfilesStartScriptRunsAheadOfTheJobsFirstLine() async throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.file("printer")
        let execLog = scratch.file("exec.log")
        let simulator = try await SimulatedPrinter.start(link: link, arguments: ["--speedup", "50", "--exec-log", execLog])
        let configuration = """
            [[printer]]
            id = "mk"
            port = "\(link)"
            profile = "printedge-sim"
            """
        try await DaemonUnderTest.with(in: scratch, configuration: configuration,
                                       adjust: { $0.printers[0].profile.scripts.start = ["M117 printedge start", "G92 E0"] }) { daemon in
            try await daemon.waitUntil("mk connects") { try await daemon.status(of: "mk").state == "idle" }
            let job = try await daemon.submit(["G21", "G90", "G1 X10 Y10 F3000"], printer: "mk", in: scratch)
            try await daemon.expectOK("jobs.start", job: job)
            try await daemon.waitUntil("the job completes") { try await daemon.job(job).state == "completed" }
            try await daemon.waitUntil("the simulator logs the job") {
                ((try? String(contentsOfFile: execLog, encoding: .utf8)) ?? "").contains("G1 X10 Y10 F3000")
            }
            // The connection's own commands (M115, M155, M105) aside.
            let executed = try String(contentsOfFile: execLog, encoding: .utf8)
                .split(separator: "\n").map(String.init).filter { !["M115", "M105"].contains($0) && !$0.hasPrefix("M155") }
            #expect(executed == ["M117 printedge start", "G92 E0", "G21", "G90", "G1 X10 Y10 F3000"])
        }
        withExtendedLifetime(simulator) {}
    }
}
