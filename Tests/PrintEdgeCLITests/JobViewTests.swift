import PrintEdgeControl
import Testing
@testable import printedge

/// One job, written the same way wherever it is shown.
struct JobViewTests {
    private let now: Int64 = 1_796_653_326_000

    private func job(state: String, phase: String? = nil, since: Int64? = nil, fraction: Double = 0.42, layer: Int? = 42,
                     eta: Double? = 511, printing: Double? = 372) -> JobSummary {
        JobSummary(id: 12, printer: "mk3s", name: "cube.gcode", state: state, phase: phase, phaseSinceMS: since, sha256: "ab",
                   sizeBytes: 1000, commands: 900, layers: 101, estimatedSeconds: 936, filamentMM: 800, acknowledgedSourceLine: 400,
                   acknowledgedBytes: 420, zMM: 8.6, layer: layer, fraction: fraction, printingSeconds: printing, etaSeconds: eta,
                   failureReason: nil, submittedAtMS: now - 600_000, startedAtMS: now - 400_000, endedAtMS: nil)
    }

    @Test func aPrintingJobsLineHasPercentLayerHeightAndETAWithItsFinishTime() {
        let view = JobView(job: job(state: "printing", phase: "printing"), nowMS: now)
        let finish = JobView.clockTime(ms: now + 511_000)
        #expect(view.line == "#12  printing  cube.gcode  on mk3s  42.0 %  layer 43/101  Z 8.60 mm  ETA 8m31s (\(finish))")
    }

    @Test func heatingAndParkingAreNamedAndAPauseSaysForHowLong() {
        #expect(JobView(job: job(state: "printing", phase: "heating", layer: nil), nowMS: now).line.hasPrefix("#12  printing (heating)  cube.gcode"))
        #expect(JobView(job: job(state: "paused", phase: "pausing"), nowMS: now).phase == "parking")
        let paused = JobView(job: job(state: "paused", phase: "paused", since: now - 125_000), nowMS: now)
        #expect(paused.phase == "paused for 2 min")
        #expect(paused.eta == "ETA 8m31s", "no finish time is promised while paused")
    }

    @Test func theTerminalViewHasEveryFactWithinTheWidth() {
        let view = JobView(job: job(state: "printing", phase: "printing"),
                           temperatures: [HeaterReading(heater: "T0", actualCelsius: 209.96, targetCelsius: 210),
                                          HeaterReading(heater: "B", actualCelsius: 60, targetCelsius: 60)], nowMS: now)
        let screen = view.screen(width: 60)
        #expect(screen[0] == "#12 cube.gcode on mk3s — printing")
        #expect(screen[1].hasPrefix("[") && screen[1].contains("42.0 %  layer 43/101  Z 8.60 mm"))
        #expect(screen[2] == "T0 210.0/210°C  B 60.0/60°C")
        #expect(screen[3].hasPrefix("elapsed 6m12s  ETA 8m31s ("))
        #expect(screen.allSatisfy { $0.count <= 60 })
    }

    @Test func endedJobsShowTheirStateAndReason() {
        var failed = job(state: "failed", phase: nil)
        failed.failureReason = "printer unplugged"
        #expect(JobView(job: failed, nowMS: now).line == "#12  failed  cube.gcode  on mk3s  (printer unplugged)")
        #expect(JobView(job: job(state: "queued", layer: nil), nowMS: now).line == "#12  queued  cube.gcode  on mk3s  est. 15m36s, 900 commands, 101 layers")
    }

    @Test func everyDaemonRefusalHasOneDocumentedStatus() {
        #expect(ExitStatus(.unknownPrinter) == .unknownPrinter)
        #expect(ExitStatus(.unknownJob).rawValue == 66)
        #expect(ExitStatus(.rejectedFile).rawValue == 65)
        #expect(ExitStatus(.busy).rawValue == 75)
        #expect(ExitStatus(.notConnected).rawValue == 69)
        for code in ControlError.Code.allCases {
            #expect(ExitStatus.table.contains(" \(ExitStatus(code).rawValue)  "), "\(code)")
        }
        #expect(ExitStatus(jobState: "cancelled") == .jobCancelled)
        #expect(ExitStatus(jobState: "printing") == nil)
    }
}
