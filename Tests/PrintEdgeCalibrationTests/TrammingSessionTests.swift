import Testing
@testable import PrintEdgeCalibration
import PrintEdgeCore

@Suite struct TrammingSessionTests {
    private let screws = [
        TrammingScrew(name: "front-left", xMM: 30, yMM: 30), TrammingScrew(name: "front-right", xMM: 200, yMM: 30),
        TrammingScrew(name: "back-right", xMM: 200, yMM: 200), TrammingScrew(name: "back-left", xMM: 30, yMM: 200),
    ]

    /// G30 replies in the 2.1.2 format.
    private func probed(_ heights: [Double]) -> String {
        zip(screws, heights).map { screw, z in
            "Bed X: \(GCodeDecimal.fixed(screw.xMM, decimals: 2)) Y: \(GCodeDecimal.fixed(screw.yMM, decimals: 2)) Z: \(GCodeDecimal.fixed(z, decimals: 2))\nX:\(screw.xMM) Y:\(screw.yMM) Z:5.00 E:0.00 Count X:0 Y:0 Z:0\nok"
        }.joined(separator: "\n")
    }

    @Test func probesEachScrewSaysWhatToTurnAndRepeatsUntilWithinTolerance() throws {
        var session = TrammingSession(configuration: try .init(screws: screws))
        let first = session.start()
        #expect(first.batch?.lines == ["G28", "G30 X30 Y30", "G30 X200 Y30", "G30 X200 Y200", "G30 X30 Y200"])
        #expect(first.reports == [TrammingSession.Progress(round: 1)])
        let ask = session.answer(probed([0.10, -0.05, 0.30, 0.12]))
        let question = try #require(ask.question)
        #expect(question.details == [
            "leave the front-left screw: it is the reference",
            "turn the front-right screw clockwise a quarter turn and a bit: 0.30 turn",
            "turn the back-right screw counter-clockwise nearly half a turn: 0.40 turn",
            "leave the back-left screw: it is within 0.05 mm",
        ])
        #expect(ask.reports.first?.result?.isWithinTolerance == false)
        #expect(session.operatorAnswered(.yes).batch?.lines.first == "G28")
        let done = try #require(session.answer(probed([0.10, 0.09, 0.12, 0.11])).outcome)
        #expect(done.isWithinTolerance)
        #expect(done.screwsTurned)
        #expect(done.rounds.count == 2)
        #expect(done.invalidates == [.zOffset, .bedMesh])
        #expect(done.notes.first == "the bed's tilt changed: calibrate the Z offset again, then make a new mesh (both were measured on the old tilt)")
    }

    @Test func aBedAlreadyTrammedMakesNothingStale() throws {
        var session = TrammingSession(configuration: try .init(screws: screws))
        _ = session.start()
        let outcome = try #require(session.answer(probed([0.10, 0.09, 0.12, 0.11])).outcome)
        #expect(!outcome.screwsTurned)
        #expect(outcome.invalidates.isEmpty)
        #expect(outcome.notes == ["G30 turned bed leveling off; a new mesh (or M420 S1) turns it back on"])
    }

    @Test func readsTheBugfixG30FormatToo() throws {
        var session = TrammingSession(configuration: try .init(screws: Array(screws.prefix(2))))
        _ = session.start()
        let outcome = try #require(session.answer("Bed X:30.00 Y:30.00 Z:0.143\nok\nBed X:200.00 Y:30.00 Z:0.151\nok").outcome)
        #expect(outcome.rounds[0].adjustments[1].probedZMM == 0.151)
    }

    @Test func stoppingBetweenRoundsFinishesWithoutClaimingTolerance() throws {
        var session = TrammingSession(configuration: try .init(screws: screws))
        _ = session.start()
        _ = session.answer(probed([0.10, -0.05, 0.30, 0.12]))
        #expect(session.operatorAnswered(.length(mm: 1)).question?.problem == "answer yes once the screws are turned, or no to stop here")
        let outcome = try #require(session.operatorAnswered(.no).outcome)
        #expect(!outcome.isWithinTolerance)
        #expect(!outcome.screwsTurned)
        #expect(outcome.notes.last == "not yet within 0.05 mm")
    }

    @Test func givesUpAfterTheLastRoundWithWhatIsLeft() throws {
        var session = TrammingSession(configuration: try .init(screws: screws, maximumRounds: 2))
        _ = session.start()
        _ = session.answer(probed([0.10, -0.05, 0.30, 0.12]))
        _ = session.operatorAnswered(.yes)
        let failure = try #require(session.answer(probed([0.10, 0.08, 0.30, 0.12])).failure)
        #expect(failure.cause == .notConverged)
        #expect(failure.reason.hasPrefix("the bed is not within 0.05 mm after 2 rounds; still to do: turn the back-right screw"))
        #expect(failure.safeStop.isEmpty)
    }

    @Test func probingFailuresNameTheScrew() throws {
        var session = TrammingSession(configuration: try .init(screws: screws))
        _ = session.start()
        _ = session.receive("Bed X: 30.00 Y: 30.00 Z: 0.10\nok")
        let failure = try #require(session.lineReceived("Z Probe Past Bed").failure)
        #expect(failure.reason.hasPrefix("screw 2 (front-right) is out of the probe's reach"))
        #expect(failure.safeStop == SafeStop(emergencyLines: ["M410"]))
        var failed = TrammingSession(configuration: try .init(screws: screws))
        _ = failed.start()
        #expect(failed.lineReceived("Error:Probing Failed").failure?.reason.hasPrefix("the probe did not trigger at screw 1 (front-left)") == true)
        var cut = TrammingSession(configuration: try .init(screws: screws))
        _ = cut.start()
        #expect(cut.answer("Bed X: 30.00 Y: 30.00 Z: 0.10\nok").failure?.reason == "G30 reported 1 of 4 screws' heights: the output was cut short")
    }

    @Test func usesMarlinsG35AndItsTurns() throws {
        var session = TrammingSession(configuration: try .init(screws: [], method: .assisted))
        #expect(session.start().batch?.lines == ["G28", "G35 S30"])
        let ask = session.answer("Turn Front-Right CCW by 0 turns and 15 minutes (0.13mm)\nTurn Back-Right CW by 0 turns and 2 minutes (-0.02mm)\nTurn Back-Left CW by 0 turns (0.00mm)\nok")
        let question = try #require(ask.question)
        #expect(question.details[0] == "leave the first G35 point's screw: it is the reference")
        #expect(question.details[1] == "turn the Front-Right screw counter-clockwise a quarter turn: 0.26 turn")
        #expect(question.details[2] == "leave the Back-Right screw: it is within 0.05 mm")
        // G35 unhomes Z: every round homes again.
        #expect(session.operatorAnswered(.yes).batch?.lines == ["G28", "G35 S30"])
        let outcome = try #require(session.answer("Turn Front-Right CW by 0 turns (-0.01mm)\nTurn Back-Right CW by 0 turns (0.00mm)\nTurn Back-Left CW by 0 turns (0.00mm)\nok").outcome)
        #expect(outcome.method == .assisted)
        #expect(outcome.notes.last == "G35 left Z unhomed: home before printing")
    }

    @Test func fallsBackToG30WhenTheFirmwareHasNoG35() throws {
        var session = TrammingSession(configuration: try .init(screws: screws, method: .automatic))
        #expect(session.start().batch?.lines == ["G28", "G35 S30"])
        _ = session.lineReceived("echo:Unknown command: \"G35 S30\"")
        let probe = try #require(session.answer("ok").batch)
        #expect(probe.lines == ["G30 X30 Y30", "G30 X200 Y30", "G30 X200 Y200", "G30 X30 Y200"])
        let outcome = try #require(session.answer(probed([0.1, 0.1, 0.1, 0.1])).outcome)
        #expect(outcome.method == .probe)
        var assisted = TrammingSession(configuration: try .init(screws: screws, method: .assisted))
        _ = assisted.start()
        #expect(assisted.lineReceived("echo:Unknown command: \"G35 S30\"").failure?.cause == .unsupported)
    }

    @Test func refusesTooFewScrewsAndThreadsG35DoesNotKnow() {
        #expect(throws: CalibrationRequestError.self) { try TrammingSession.Configuration(screws: [TrammingScrew(name: "one", xMM: 0, yMM: 0)]) }
        #expect(throws: CalibrationRequestError.self) {
            try TrammingSession.Configuration(screws: [], thread: ScrewThread(size: .m6, raisingDirection: .clockwise), method: .assisted)
        }
        #expect(throws: CalibrationRequestError.self) { try TrammingSession.Configuration(screws: screws, reference: .screw(index: 4)) }
    }

    @Test func cancellingWhileProbingStopsMotionAndWhileTurningNeedsNothing() throws {
        var probing = TrammingSession(configuration: try .init(screws: screws))
        _ = probing.start()
        #expect(probing.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M410"]))
        var turning = TrammingSession(configuration: try .init(screws: screws))
        _ = turning.start()
        _ = turning.answer(probed([0.10, -0.05, 0.30, 0.12]))
        #expect(turning.cancelled().failure?.safeStop == SafeStop())
    }
}
