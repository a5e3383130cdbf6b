import Testing
import PrintEdgeGPIO

@Suite struct StatusLEDBlinkerTests {
    private let t0 = ManualInstant.start

    @Test func theIdleFlashChangesExactlyAtItsPhaseBoundaries() {
        var led = StatusLEDBlinker<ManualInstant>()
        #expect(led.show(.idle, now: t0) == .init(lit: true, nextChangeAt: t0 + .milliseconds(100)))
        #expect(led.tick(now: t0 + .milliseconds(100) - .nanoseconds(1)) == nil)
        #expect(led.tick(now: t0 + .milliseconds(100)) == .init(lit: false, nextChangeAt: t0 + .milliseconds(3000)))
        #expect(led.tick(now: t0 + .milliseconds(3000) - .nanoseconds(1)) == nil)
        #expect(led.tick(now: t0 + .milliseconds(3000)) == .init(lit: true, nextChangeAt: t0 + .milliseconds(3100)))
    }

    @Test func aLateTickShowsThePhaseThePatternIsInNow() {
        var led = StatusLEDBlinker<ManualInstant>()
        _ = led.show(.paused, now: t0)
        // 7.75 s in: the eighth cycle's dark half, which ends at 8 s.
        #expect(led.tick(now: t0 + .milliseconds(7750)) == .init(lit: false, nextChangeAt: t0 + .seconds(8)))
        #expect(led.nextChangeAt == t0 + .seconds(8))
    }

    @Test func aSteadyLightNeverAsksForATick() {
        var led = StatusLEDBlinker<ManualInstant>()
        #expect(led.show(.printing, now: t0) == .init(lit: true, nextChangeAt: nil))
        #expect(led.tick(now: t0 + .seconds(3600)) == nil)
        #expect(led.nextChangeAt == nil)
    }

    @Test func showingThePatternAgainKeepsItsRhythmAndANewOneStartsOver() {
        var led = StatusLEDBlinker<ManualInstant>()
        _ = led.show(.error, now: t0)
        #expect(led.show(.error, now: t0 + .milliseconds(150)) == .init(lit: false, nextChangeAt: t0 + .milliseconds(200)))
        #expect(led.show(.paused, now: t0 + .milliseconds(150)) == .init(lit: true, nextChangeAt: t0 + .milliseconds(650)))
        #expect(led.pattern == .paused)
    }

    @Test func aPatternNeedsPhasesThatEnd() {
        #expect(StatusLEDPattern(phases: []) == nil)
        #expect(StatusLEDPattern(phases: [.init(lit: true, duration: .zero)]) == nil)
        #expect(StatusLEDPattern(phases: [.init(lit: true, duration: .milliseconds(50)), .init(lit: false, duration: .milliseconds(950))])?.period == .seconds(1))
        #expect(StatusLEDPattern.steady(lit: false).isSteady)
        #expect(!StatusLEDPattern.idle.isSteady)
    }
}
