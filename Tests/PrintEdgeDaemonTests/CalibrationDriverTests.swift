import Foundation
import PrintEdgeAgent
import PrintEdgeCalibration
import PrintEdgeControl
import PrintEdgeCore
@testable import PrintEdgeDaemon
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// The calibration driver without a printer: what it asks the link to do for each event, what
/// it reports, what it stores, and the fleet message it queues (checked against
/// docs/mqtt/schemas/calibration.json as a fleet's consumer would).
struct CalibrationDriverTests {
    private final class Rig {
        let directory: TemporaryDirectory
        let store: Store
        let events: AsyncStream<CalibrationEvent>
        var driver: CalibrationDriver

        init(_ session: any RunnableCalibration) throws {
            directory = try TemporaryDirectory()
            store = try Store(directory: directory.file("state"), feedsFleet: true)
            try store.upsertPrinter(PrinterRecord(id: "mk", name: "mk", port: "/dev/null", profile: "printedge-sim", state: "idle", updatedAtMS: 1))
            let (events, continuation) = AsyncStream<CalibrationEvent>.makeStream()
            self.events = events
            driver = CalibrationDriver(session: session, printerID: "mk", recorder: CalibrationRecorder(store: store, printerID: "mk"), events: continuation)
        }

        /// The events so far (the stream ends with the run).
        func collected() async -> [CalibrationEvent] {
            var all: [CalibrationEvent] = []
            for await event in events { all.append(event) }
            return all
        }
    }

    private static func sent(_ effects: [CalibrationDriver.Effect]) -> (lines: [String], tag: UInt64, exclusive: Bool)? {
        for case .submit(.send(let lines, let tag, let exclusive)) in effects { return (lines, tag, exclusive) }
        return nil
    }

    private static func emergencies(_ effects: [CalibrationDriver.Effect]) -> [HostProtocol.EmergencyCommand] {
        effects.compactMap { effect in
            if case .submit(.emergency(let command)) = effect { return command }
            return nil
        }
    }

    private static func ended(_ effects: [CalibrationDriver.Effect]) -> Bool {
        effects.contains { if case .ended = $0 { true } else { false } }
    }

    @Test func aBackupSendsItsBatchTakesEveryLineAndIsStoredAndQueuedForTheFleet() async throws {
        let rig = try Rig(SessionRunner(SettingsBackupSession(), kind: .settingsBackup))
        let batch = try #require(Self.sent(rig.driver.start()))
        #expect(batch.lines == ["M503 S0"] && !batch.exclusive)
        for line in ["G21", "M92 X80.00 Y80.00 Z400.00 E93.00", "M301 P22.20 I1.08 D114.00", "ok"] { #expect(rig.driver.lineReceived(line).isEmpty) }
        #expect(!rig.driver.sendCompleted(tag: 7).handled, "a person's send is not the batch's end")
        let end = rig.driver.sendCompleted(tag: batch.tag)
        #expect(end.handled && Self.ended(end.effects))
        let events = await rig.collected()
        #expect(events.map(\.type) == [.started, .step, .finished])
        let record = try #require(events.last?.record)
        let stored = try #require(try rig.store.calibration(id: record))
        #expect(stored.kind == "settings_backup" && stored.outcome == .completed)
        #expect(stored.dataJSON.contains(#""M92 X80.00 Y80.00 Z400.00 E93.00""#))
        let message = try #require(try rig.store.undeliveredOutbox(printerID: "mk").last)
        #expect(message.kind == .calibration)
        try await FleetCommandSchemaTests.validate([("calibration", String(decoding: FleetEnvelope.bytes(for: message), as: UTF8.self), true)])
    }

    @Test func aTuneIsExclusiveAndACancelSendsM108ThenTheHeaterOffBeforeReportingItsEnd() async throws {
        let configuration = try PIDTuningSession.Configuration(heater: .hotend(tool: 0), targetCelsius: 200, hasEmergencyParser: true)
        let rig = try Rig(SessionRunner(PIDTuningSession(configuration: configuration), kind: .pidHotend))
        let tune = try #require(Self.sent(rig.driver.start()))
        #expect(tune.lines == ["M303 E0 C5 S200"] && tune.exclusive)
        #expect(rig.driver.step == "tuning the hotend 0 at 200 °C")
        _ = rig.driver.lineReceived("PID Autotune start")
        let cancel = rig.driver.cancel()
        #expect(Self.emergencies(cancel) == [.cancelWait])
        let stop = try #require(Self.sent(cancel))
        #expect(stop.lines == ["M104 T0 S0"] && !stop.exclusive)
        #expect(!Self.ended(cancel), "the end waits for the heater-off line")
        // The tune's own end comes first (M108 ended it), then the stop lines'.
        let tuneEnd = rig.driver.sendCompleted(tag: tune.tag)
        #expect(tuneEnd.handled && tuneEnd.effects.isEmpty)
        let end = rig.driver.sendCompleted(tag: stop.tag)
        #expect(Self.ended(end.effects))
        let events = await rig.collected()
        let failed = try #require(events.last)
        #expect(failed.type == .failed && failed.failure?.cause == .cancelled)
        let stored = try #require(try rig.store.calibration(id: failed.record ?? 0))
        #expect(stored.outcome == .cancelled && stored.invalidates.isEmpty)
        let message = try #require(try rig.store.undeliveredOutbox(printerID: "mk").last)
        try await FleetCommandSchemaTests.validate([
            ("calibration", String(decoding: FleetEnvelope.bytes(for: message), as: UTF8.self), true),
            // A cancelled run with a result is not one.
            ("calibration", #"{"v":1,"type":"calibration","printer":"mk","seq":1,"at_ms":1,"data":{"calibration_id":1,"printer_id":"mk","kind":"pid_hotend","outcome":"cancelled","at_ms":1,"invalidates":[],"result":{"kind":"pid_hotend"}}}"#, false),
        ])
    }

    @Test func aLostLinkEndsTheRunAtOnceAndHoldsItsStopLinesForTheNextConnection() async throws {
        let configuration = try PIDTuningSession.Configuration(heater: .bed, targetCelsius: 60)
        let rig = try Rig(SessionRunner(PIDTuningSession(configuration: configuration), kind: .pidBed))
        _ = rig.driver.start()
        let lost = rig.driver.linkLost()
        let held = lost.compactMap { effect -> SafeStop? in
            if case .safeStopWhenConnected(let stop) = effect { return stop }
            return nil
        }
        #expect(held == [SafeStop(emergencyLines: ["M108"], lines: ["M140 S0"])])
        #expect(Self.sent(lost) == nil, "nothing is sent on a link that is gone")
        #expect(Self.ended(lost))
        let events = await rig.collected()
        #expect(events.last?.failure?.cause == .linkLost)
    }

    @Test func aBatchPastItsLimitTimesOutButAnOldTimerDoesNothing() async throws {
        let rig = try Rig(SessionRunner(SettingsBackupSession(), kind: .settingsBackup))
        let first = rig.driver.start()
        var generation = 0
        for case .armTimer(_, let armed) in first { generation = armed }
        #expect(rig.driver.timerFired(generation: generation - 1).isEmpty)
        let timedOut = rig.driver.timerFired(generation: generation)
        #expect(Self.ended(timedOut))
        let events = await rig.collected()
        #expect(events.last?.failure?.cause == .timedOut)
    }

    @Test func answersAreReadForTheirQuestion() throws {
        let confirm = OperatorQuestion(kind: .confirm, prompt: "Marked?")
        #expect(try CalibrationDriver.parse("Yes", for: confirm) == .yes)
        #expect(try CalibrationDriver.parse("n", for: confirm) == .no)
        #expect(throws: ControlError.self) { try CalibrationDriver.parse("maybe", for: confirm) }
        let length = OperatorQuestion(kind: .length, prompt: "How far?")
        #expect(try CalibrationDriver.parse(" 20.5 ", for: length) == .length(mm: 20.5))
        let babystep = OperatorQuestion(kind: .babystep, prompt: "Down?")
        #expect(try CalibrationDriver.parse("+0.050", for: babystep) == .babystep(mm: 0.05))
        #expect(try CalibrationDriver.parse("accept", for: babystep) == .accept)
        #expect(throws: ControlError.self) { try CalibrationDriver.parse("0", for: babystep) }
        let testZ = OperatorQuestion(kind: .testZ, prompt: "TESTZ")
        #expect(try CalibrationDriver.parse("--", for: testZ) == .testZ(.toNextDown))
        #expect(try CalibrationDriver.parse("-0.1", for: testZ) == .testZ(.by(mm: -0.1)))
        #expect(throws: ControlError.self) { try CalibrationDriver.parse("down", for: testZ) }
    }
}
