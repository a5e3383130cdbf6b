import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore
import Testing
@testable import PrintEdgeDaemon

/// A job's run read from its events: pauses left out of its printing time, so its ETA stands
/// still while it is paused; the phase every view shows.
struct JobTimelineTests {
    private func event(_ kind: JobEventKind, _ to: JobState, at ms: Int64) -> JobEventRecord {
        JobEventRecord(jobID: 1, printerID: "mk", kind: kind, fromState: nil, toState: to, detail: nil, atMS: ms)
    }

    @Test func pausesAreLeftOutOfThePrintingTimeAndAnOpenPauseStopsItsClock() {
        let events = [event(.submitted, .queued, at: 0), event(.started, .printing, at: 10_000), event(.paused, .paused, at: 40_000),
                      event(.resumed, .printing, at: 100_000), event(.paused, .paused, at: 130_000)]
        let timeline = JobTimeline(events: events)
        #expect(timeline.startedAtMS == 10_000)
        #expect(timeline.stateSinceMS == 130_000)
        #expect(timeline.printingSeconds(nowMS: 500_000) == 60)
        #expect(timeline.printingSeconds(nowMS: 900_000) == 60, "a paused job's clock stands still")
        #expect(JobTimeline(events: Array(events.prefix(4))).printingSeconds(nowMS: 110_000) == 40)
    }

    @Test func aRecoveryStartsANewRun() {
        let timeline = JobTimeline(events: [event(.started, .printing, at: 0), event(.interrupted, .interrupted, at: 50_000),
                                            event(.recovered, .printing, at: 70_000)])
        #expect(timeline.startedAtMS == 70_000)
        #expect(timeline.isRecovery)
        #expect(timeline.printingSeconds(nowMS: 80_000) == 10)
    }

    private func summary(state: String, fraction: Double, layer: Int?) -> JobSummary {
        JobSummary(id: 1, printer: "mk", name: "cube", state: state, sha256: "", sizeBytes: 100, commands: 10, layers: 5,
                   estimatedSeconds: 600, filamentMM: nil, acknowledgedSourceLine: 0, acknowledgedBytes: 0, zMM: nil, layer: layer,
                   fraction: fraction, etaSeconds: 999, failureReason: nil, submittedAtMS: 0, endedAtMS: nil)
    }

    @Test func theETAComesFromThePrintingTimeOnceUnderWayAndFromTheEstimateBefore() {
        let timeline = JobTimeline(events: [event(.started, .printing, at: 0), event(.paused, .paused, at: 100_000)])
        var paused = summary(state: "paused", fraction: 0.25, layer: 1)
        paused.fillRun(from: timeline, temperatures: [], printerState: "paused", nowMS: 400_000)
        #expect(paused.printingSeconds == 100)
        #expect(paused.etaSeconds == 300)
        #expect(paused.phase == "paused")
        #expect(paused.phaseSinceMS == 100_000)
        var early = summary(state: "printing", fraction: 0.005, layer: nil)
        early.fillRun(from: JobTimeline(events: [event(.started, .printing, at: 0)]), temperatures: [], printerState: "printing", nowMS: 5_000)
        #expect(early.etaSeconds == 600 * 0.995)
    }

    @Test func thePhaseNamesHeatingBeforeTheFirstLayerAndParkingAfterAPause() {
        let cold = [HeaterReading(heater: "T0", actualCelsius: 150, targetCelsius: 210)]
        let warm = [HeaterReading(heater: "T0", actualCelsius: 209, targetCelsius: 210)]
        #expect(JobSummary.phase(state: "printing", printerState: "printing", layer: nil, temperatures: cold) == "heating")
        #expect(JobSummary.phase(state: "printing", printerState: "printing", layer: nil, temperatures: warm) == "printing")
        #expect(JobSummary.phase(state: "printing", printerState: "printing", layer: 3, temperatures: cold) == "printing",
                "a target raised mid-print does not hold the queue")
        #expect(JobSummary.phase(state: "paused", printerState: "finishing", layer: 3, temperatures: warm) == "pausing")
        #expect(JobSummary.phase(state: "paused", printerState: "paused", layer: 3, temperatures: warm) == "paused")
        #expect(JobSummary.phase(state: "printing", printerState: "finishing", layer: 4, temperatures: warm) == "finishing")
    }

    @Test func aPhaseOrPrintingTimeThePrinterGaveIsKept() {
        var job = summary(state: "printing", fraction: 0.5, layer: 2)
        job.phase = "resuming"
        job.printingSeconds = 42
        job.fillRun(from: JobTimeline(events: [event(.started, .printing, at: 0)]), temperatures: [], printerState: "printing", nowMS: 900_000)
        #expect(job.phase == "resuming")
        #expect(job.printingSeconds == 42)
        #expect(job.etaSeconds == 999)
    }
}
