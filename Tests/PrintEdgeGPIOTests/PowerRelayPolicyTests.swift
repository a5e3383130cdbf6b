import Testing
import PrintEdgeGPIO

@Suite struct PowerRelayPolicyTests {
    typealias Policy = PowerRelayPolicy<ManualInstant>
    private let t0 = ManualInstant.start
    private let configuration = Policy.Configuration(idleOffDelay: .seconds(30 * 60), printerAppearTimeout: .seconds(60), hotRecheckInterval: .seconds(60))

    /// Hotends at these temperatures, each safe at or below 50 °C.
    private func hotends(_ temperaturesCelsius: Double...) -> [HotendReading] {
        temperaturesCelsius.map { HotendReading(temperatureCelsius: $0, safeTemperatureCelsius: 50) }
    }

    /// A relay that powered `printer` through a job which ended at `t0`.
    private func idleAfterAJob(printer: String = "mk3s-1") -> Policy {
        var relay = Policy(configuration: configuration, isOn: true, now: t0 - .seconds(3600))
        _ = relay.jobWillStart(printer: printer, printerPresent: true, now: t0 - .seconds(3600))
        #expect(relay.jobEnded(printer: printer, now: t0) == .checkSwitchOff(at: t0 + .seconds(1800)))
        return relay
    }

    @Test func switchesOnBeforeAJobThenStartsItWhenThePrinterAppears() {
        var relay = Policy(configuration: configuration, isOn: false, now: t0)
        #expect(relay.status == .off)
        #expect(relay.jobWillStart(printer: "mk3s-1", printerPresent: false, now: t0) == .switchOnAndWaitForPrinter(until: t0 + .seconds(60)))
        #expect(relay.isOn)
        #expect(relay.status == .busy(printing: [], waitingFor: ["mk3s-1"]))
        #expect(relay.nextDeadline == t0 + .seconds(60))
        #expect(relay.printerAppeared(printer: "mk3s-1", now: t0 + .seconds(4)) == .startJob)
        #expect(relay.status == .busy(printing: ["mk3s-1"], waitingFor: []))
        #expect(relay.nextDeadline == nil)
        #expect(relay.printerAppeared(printer: "mk3s-1", now: t0 + .seconds(5)) == .none)
    }

    @Test func aJobOnAPoweredPresentPrinterStartsAtOnce() {
        var relay = Policy(configuration: configuration, isOn: true, now: t0)
        #expect(relay.jobWillStart(printer: "mk3s-1", printerPresent: true, now: t0) == .startJob)
    }

    @Test func aPrinterThatNeverAppearsFailsItsJobAtTheDeadline() {
        var relay = Policy(configuration: configuration, isOn: false, now: t0)
        _ = relay.jobWillStart(printer: "mk3s-1", printerPresent: false, now: t0)
        let deadline = t0 + .seconds(60)
        #expect(relay.tick(now: deadline - .nanoseconds(1), hotends: hotends(22)) == .none)
        guard case .failJobs(let printers, let reason) = relay.tick(now: deadline, hotends: hotends(22)) else {
            Issue.record("expected the job to fail at the deadline")
            return
        }
        #expect(printers == ["mk3s-1"])
        #expect(reason.hasPrefix("the printer's USB device did not appear within 60.0 seconds of power-on"))
        // Nothing waits any more: the idle time starts.
        #expect(relay.status == .on(switchOffAt: deadline + .seconds(1800)))
    }

    @Test func switchesOffAfterTheIdleTimeWhenEveryHotendIsCool() {
        var relay = idleAfterAJob()
        let offAt = t0 + .seconds(1800)
        #expect(relay.nextDeadline == offAt)
        #expect(relay.tick(now: offAt - .nanoseconds(1), hotends: hotends(24)) == .none)
        #expect(relay.tick(now: offAt, hotends: hotends(24, 50)) == .switchOff)
        #expect(relay.status == .off)
        #expect(relay.nextDeadline == nil)
    }

    @Test func neverSwitchesOffWhileAHotendIsHotAndChecksAgainLater() {
        var relay = idleAfterAJob()
        let offAt = t0 + .seconds(1800)
        #expect(relay.tick(now: offAt, hotends: hotends(180.4, 24)) == .keepOnWhileHot(hottestCelsius: 180.4, checkAgainAt: offAt + .seconds(60)))
        #expect(relay.isOn)
        #expect(relay.tick(now: offAt + .seconds(59), hotends: hotends(49)) == .none)
        #expect(relay.tick(now: offAt + .seconds(60), hotends: hotends(50.5)) == .keepOnWhileHot(hottestCelsius: 50.5, checkAgainAt: offAt + .seconds(120)))
        #expect(relay.tick(now: offAt + .seconds(120), hotends: hotends(49.9)) == .switchOff)
    }

    @Test func eachHotendIsJudgedByItsOwnSafeTemperature() {
        var relay = idleAfterAJob()
        let offAt = t0 + .seconds(1800)
        let readings = [
            HotendReading(temperatureCelsius: 60, safeTemperatureCelsius: 70), HotendReading(temperatureCelsius: 45, safeTemperatureCelsius: 40),
        ]
        #expect(relay.tick(now: offAt, hotends: readings) == .keepOnWhileHot(hottestCelsius: 45, checkAgainAt: offAt + .seconds(60)))
        #expect(
            relay.tick(now: offAt + .seconds(60), hotends: [HotendReading(temperatureCelsius: 60, safeTemperatureCelsius: 70)]) == .switchOff)
    }

    @Test func aHotendNobodyCanReadCountsAsHot() {
        var relay = idleAfterAJob()
        let offAt = t0 + .seconds(1800)
        #expect(relay.tick(now: offAt, hotends: nil) == .keepOnWhileHot(hottestCelsius: nil, checkAgainAt: offAt + .seconds(60)))
        #expect(relay.isOn)
    }

    @Test func aSharedRelayStaysOnWhileAnyOfItsPrintersPrints() {
        var relay = Policy(configuration: configuration, isOn: true, now: t0)
        #expect(relay.jobWillStart(printer: "a", printerPresent: true, now: t0) == .startJob)
        #expect(relay.jobWillStart(printer: "b", printerPresent: false, now: t0 + .seconds(1)) == .waitForPrinter(until: t0 + .seconds(61)))
        #expect(relay.jobEnded(printer: "a", now: t0 + .seconds(10)) == .none)
        #expect(relay.status == .busy(printing: [], waitingFor: ["b"]))
        #expect(relay.printerAppeared(printer: "b", now: t0 + .seconds(12)) == .startJob)
        #expect(relay.jobEnded(printer: "b", now: t0 + .seconds(20)) == .checkSwitchOff(at: t0 + .seconds(1820)))
    }

    @Test func switchingOffByHandIsRefusedWhilePrintingOrHot() {
        var relay = Policy(configuration: configuration, isOn: true, now: t0)
        _ = relay.jobWillStart(printer: "mk3s-1", printerPresent: true, now: t0)
        #expect(
            relay.switchOffRequested(now: t0, hotends: hotends(215))
                == .refused(reason: "the relay powers mk3s-1, which has a job: finish or cancel it first"))
        _ = relay.jobEnded(printer: "mk3s-1", now: t0 + .seconds(1))
        #expect(
            relay.switchOffRequested(now: t0 + .seconds(2), hotends: hotends(183.2))
                == .refused(reason: "a hotend is at 183 °C, above its safe 50 °C: its fan needs power until it cools; try again in a few minutes"))
        guard case .refused = relay.switchOffRequested(now: t0 + .seconds(3), hotends: nil) else {
            Issue.record("an unknown temperature must refuse")
            return
        }
        #expect(relay.switchOffRequested(now: t0 + .seconds(400), hotends: hotends(41)) == .switchOff)
        #expect(relay.switchOffRequested(now: t0 + .seconds(401), hotends: hotends(41)) == .alreadyOff)
    }

    @Test func switchingOnByHandStartsTheIdleTime() {
        var relay = Policy(configuration: configuration, isOn: false, now: t0)
        #expect(relay.switchOnRequested(now: t0) == .switchOn)
        #expect(relay.switchOnRequested(now: t0 + .seconds(1)) == .alreadyOn)
        #expect(relay.nextDeadline == t0 + .seconds(1800))
    }

    @Test func withoutAnIdleTimeTheRelayStaysOnUntilSwitchedOff() {
        var relay = PowerRelayPolicy<ManualInstant>(
            configuration: .init(idleOffDelay: nil), isOn: true, now: t0)
        _ = relay.jobWillStart(printer: "mk3s-1", printerPresent: true, now: t0)
        #expect(relay.jobEnded(printer: "mk3s-1", now: t0 + .seconds(5)) == .none)
        #expect(relay.nextDeadline == nil)
        #expect(relay.tick(now: t0 + .seconds(86_400), hotends: hotends(20)) == .none)
        #expect(relay.status == .on(switchOffAt: nil))
    }

    @Test func anEmergencyStopLeavesTheRelayOffWhateverTheTemperature() {
        var relay = Policy(configuration: configuration, isOn: true, now: t0)
        _ = relay.jobWillStart(printer: "mk3s-1", printerPresent: true, now: t0)
        relay.emergencyStopped()
        #expect(relay.status == .off)
        #expect(relay.jobEnded(printer: "mk3s-1", now: t0 + .seconds(1)) == .none)
        #expect(relay.nextDeadline == nil)
    }
}
