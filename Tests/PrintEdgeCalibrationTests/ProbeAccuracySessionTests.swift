import Testing
@testable import PrintEdgeCalibration

@Suite struct ProbeAccuracySessionTests {
    @Test func homesProbesReportsEachSampleAndJudgesTheRange() throws {
        var session = ProbeAccuracySession(configuration: try .init(samples: 4, xMM: 117.5, yMM: 117.5))
        let batch = try #require(session.start().batch)
        #expect(batch.lines == ["G28", "M48 P4 V2 X117.5 Y117.5"])
        _ = session.lineReceived("X:117.50 Y:117.50 Z:10.00 E:0.00 Count X:9400 Y:9400 Z:4000")
        _ = session.lineReceived("M48 Z-Probe Repeatability Test")
        #expect(session.lineReceived("1 of 4: z: 0.012 ").reports == [ProbeAccuracySession.Progress(number: 1, count: 4, zMM: 0.012)])
        let outcome = try #require(session.answer("""
            2 of 4: z: 0.015 
            3 of 4: z: 0.010 
            4 of 4: z: 0.013 
            Finished!
            Mean: 0.012500 Min: 0.010 Max: 0.015 Range: 0.005
            Standard Deviation: 0.001803
            X:117.50 Y:117.50 Z:10.00 E:0.00 Count X:9400 Y:9400 Z:4000
            ok
            """).outcome)
        #expect(outcome.kind == .probeAccuracy)
        #expect(outcome.verdict.isAccurateEnough)
        #expect(outcome.repeatability.samplesMM.count == 4)
        let json = try jsonObject(outcome)
        #expect(Set(json.keys) == ["kind", "repeatability", "verdict"])
        #expect(Set((json["verdict"] as? [String: Any] ?? [:]).keys) == ["range_mm", "range_limit_mm", "accurate_enough", "explanation"])
    }

    @Test func aPoorProbeFinishesWithAFailingVerdict() throws {
        var session = ProbeAccuracySession(configuration: try .init())
        #expect(session.start().batch?.lines == ["G28", "M48 P10 V2"])
        let outcome = try #require(session.answer(FirmwareSamples.probeRepeatability + "\nok").outcome)
        #expect(!outcome.verdict.isAccurateEnough)
    }

    @Test func firmwareRefusalsAndFailuresStopMotion() throws {
        for (line, cause) in [("Error:Probing Failed", CalibrationFailure.Cause.firmware), ("echo:Unknown command: \"M48 P10 V2\"", .unsupported), ("echo:Home XYZ First", .firmware)] {
            var session = ProbeAccuracySession(configuration: try .init())
            _ = session.start()
            let failure = try #require(session.lineReceived(line).failure, "\(line)")
            #expect(failure.cause == cause)
            #expect(failure.safeStop == SafeStop(emergencyLines: ["M410"]))
        }
    }

    @Test func aCutShortTestIsAnErrorAndCancellingStopsMotion() throws {
        var cut = ProbeAccuracySession(configuration: try .init())
        _ = cut.start()
        #expect(cut.answer("1 of 10: z: 0.012 \nok").failure?.cause == .unreadableOutput)
        var cancelled = ProbeAccuracySession(configuration: try .init())
        _ = cancelled.start()
        #expect(cancelled.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M410"]))
        #expect(cancelled.linkLost() == .wait)
    }

    @Test func refusesASampleCountMarlinWouldRefuse() {
        #expect(throws: CalibrationRequestError.self) { try ProbeAccuracySession.Configuration(samples: 3) }
        #expect(throws: CalibrationRequestError.self) { try ProbeAccuracySession.Configuration(samples: 51) }
        #expect(throws: CalibrationRequestError.self) { try ProbeAccuracySession.Configuration(xMM: 10) }
    }
}
