import Testing
@testable import PrintEdgeCalibration

@Suite struct ZOffsetSessionTests {
    private let settings = settingsReply("M851 X-44.00 Y-9.00 Z-1.65")

    private func positioned(_ mode: ZOffsetSession.Mode, save: Bool = false, eeprom: EEPROMSupport = .unknown) throws -> (ZOffsetSession, OperatorQuestion) {
        var session = ZOffsetSession(configuration: try .init(mode: mode, xMM: 117.5, yMM: 117.5, save: save, eeprom: eeprom))
        _ = session.start()
        _ = session.answer(settings)
        let question = try #require(session.commandsHandled().question)
        return (session, question)
    }

    @Test func thePaperTestHomesLiftsAndLiftsTheSoftEndstops() throws {
        var session = ZOffsetSession(configuration: try .init(mode: .paperTest, xMM: 117.5, yMM: 117.5))
        #expect(session.start().batch?.lines == ["M503 S0"])
        let move = try #require(session.answer(settings).batch)
        #expect(move.lines == ["G28", "M211 S0", "G90", "G1 Z5 F600", "G1 X117.5 Y117.5 F3000", "M400"])
        let question = try #require(session.commandsHandled().question)
        #expect(question.kind == .testZ)
        #expect(question.position == "Z position: ?????? --> 5.000 <-- ??????")
    }

    @Test func bisectsLikeTESTZAndShowsTheHeightsAround() throws {
        var (session, _) = try positioned(.paperTest)
        #expect(session.operatorAnswered(.testZ(.by(mm: -4))).batch?.lines == ["G1 Z1 F300", "M400"])
        #expect(session.commandsHandled().question?.position == "Z position: ?????? --> 1.000 <-- 5.000")
        // Nothing tried below: `-` goes down at most 0.2 mm.
        _ = session.operatorAnswered(.testZ(.halfwayDown))
        #expect(session.commandsHandled().question?.position == "Z position: ?????? --> 0.800 <-- 1.000")
        _ = session.operatorAnswered(.testZ(.by(mm: -0.5)))
        #expect(session.commandsHandled().question?.position == "Z position: ?????? --> 0.300 <-- 0.800")
        // Too low: back halfway up to 0.8 is more than 0.2, so 0.2.
        _ = session.operatorAnswered(.testZ(.halfwayUp))
        #expect(session.commandsHandled().question?.position == "Z position: 0.300 --> 0.500 <-- 0.800")
        _ = session.operatorAnswered(.testZ(.halfwayDown))
        #expect(session.commandsHandled().question?.position == "Z position: 0.300 --> 0.400 <-- 0.500")
        _ = session.operatorAnswered(.testZ(.toNextUp))
        #expect(session.commandsHandled().question?.position == "Z position: 0.400 --> 0.500 <-- 0.800")
        // Accept: the bed is at Z 0.5 under the old offset, so the offset grows by 0.5.
        let apply = try #require(session.operatorAnswered(.accept).batch)
        #expect(apply.lines == ["G91", "G1 Z5 F600", "G90", "M211 S1", "M851 Z-1.15"])
        #expect(session.commandsHandled().batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(settingsReply("M851 X-44.00 Y-9.00 Z-1.15")).outcome)
        #expect(outcome.previousOffsetMM == -1.65)
        #expect(outcome.newOffsetMM == -1.15)
        #expect(outcome.touchHeightMM == 0.5)
        #expect(outcome.kind == .zOffset)
        #expect(outcome.invalidates == [.bedMesh])
    }

    @Test func aMoveThatGoesNowhereIsAskedAgain() throws {
        var (session, _) = try positioned(.paperTest)
        _ = session.operatorAnswered(.testZ(.by(mm: -1)))
        _ = session.commandsHandled()
        _ = session.operatorAnswered(.testZ(.by(mm: 1)))
        _ = session.commandsHandled()
        // At 5 with 4 tried below and nothing above: `++` has nothing to go to but the 0.2 mm step.
        #expect(session.operatorAnswered(.testZ(.toNextUp)).batch?.lines == ["G1 Z5.2 F300", "M400"])
        _ = session.commandsHandled()
        let refused = try #require(session.operatorAnswered(.yes).question)
        #expect(refused.problem == "answer with a TESTZ move (+, -, ++, -- or a distance such as -0.1), or accept the height")
    }

    @Test func neverTakesTheNozzleFarBelowWhereTheOffsetPutsTheBed() throws {
        var (session, _) = try positioned(.paperTest)
        let refused = try #require(session.operatorAnswered(.testZ(.by(mm: -7.5))).question)
        #expect(refused.problem?.hasPrefix("that would take the nozzle to -2.5 mm, more than 2 mm below where the present offset puts the bed") == true)
        #expect(session.operatorAnswered(.testZ(.by(mm: -7))).batch?.lines == ["G1 Z-2 F300", "M400"])
    }

    @Test func babystepsSplitAtMarlinsTwoMillimetreClampAndSetTheOffsetAbsolutely() throws {
        var (session, question) = try positioned(.babystep)
        #expect(question.kind == .babystep)
        #expect(question.position == "nozzle at 5.000 mm (babystepped +0.000 mm)")
        #expect(session.operatorAnswered(.babystep(mm: -4.5)).batch?.lines == ["M290 Z-2", "M290 Z-2", "M290 Z-0.5"])
        #expect(session.commandsHandled().question?.position == "nozzle at 0.500 mm (babystepped -4.500 mm)")
        _ = session.operatorAnswered(.babystep(mm: -0.05))
        _ = session.lineReceived("echo:Probe Offset Z-6.2")
        _ = session.commandsHandled()
        // The bed is at 0.45 mm under the old offset: −1.65 + 0.45.
        let apply = try #require(session.operatorAnswered(.accept).batch)
        #expect(apply.lines == ["G91", "G1 Z5 F600", "G90", "M851 Z-1.2"])
    }

    @Test func cancellingAfterBabystepsPutsTheOldOffsetBack() throws {
        var (session, _) = try positioned(.babystep)
        _ = session.operatorAnswered(.babystep(mm: -1))
        _ = session.commandsHandled()
        let failure = try #require(session.cancelled().failure)
        // With BABYSTEP_ZPROBE_OFFSET each babystep changed the offset in memory.
        #expect(failure.safeStop == SafeStop(emergencyLines: ["M410"], lines: ["M851 Z-1.65"]))
    }

    @Test func cancellingTheUnfinishedPaperTestStopsMotionAndRestoresTheSoftEndstops() throws {
        var reading = ZOffsetSession(configuration: try .init(mode: .paperTest, xMM: 0, yMM: 0))
        _ = reading.start()
        #expect(reading.cancelled().failure?.safeStop == SafeStop())
        var (session, _) = try positioned(.paperTest)
        #expect(session.linkLost().failure?.safeStop == SafeStop(emergencyLines: ["M410"], lines: ["M211 S1"]))
    }

    @Test func savesAndReadsTheOffsetBack() throws {
        var (session, _) = try positioned(.paperTest, save: true, eeprom: .present)
        _ = session.operatorAnswered(.testZ(.by(mm: -4.8)))
        _ = session.commandsHandled()
        _ = session.operatorAnswered(.accept)
        #expect(session.commandsHandled().batch?.lines == ["M500"])
        #expect(session.answer("ok").batch?.lines == ["M501"])
        #expect(session.answer("ok").batch?.lines == ["M503 S0"])
        // Marlin reports the offset with 2 decimals: -1.45 holds -1.45.
        let outcome = try #require(session.answer(settingsReply("M851 X-44.00 Y-9.00 Z-1.45")).outcome)
        #expect(outcome.persistence == .verified)
        #expect(outcome.settingsAfter?.value("M851", "Z")?.text == "-1.45")
    }

    @Test func aPrinterWithoutAProbeIsToldSo() throws {
        var session = ZOffsetSession(configuration: try .init(mode: .paperTest, xMM: 0, yMM: 0))
        _ = session.start()
        let failure = try #require(session.answer(settingsReply()).failure)
        #expect(failure.cause == .unsupported)
        #expect(failure.reason.hasPrefix("the settings have no probe offset (M851)"))
    }

    @Test func anOffsetBeyondMarlinsRangeIsRefused() throws {
        var session = ZOffsetSession(configuration: try .init(mode: .paperTest, xMM: 0, yMM: 0))
        _ = session.start()
        _ = session.answer(settingsReply("M851 X0 Y0 Z-19.00"))
        _ = session.commandsHandled()
        _ = session.operatorAnswered(.testZ(.by(mm: -7)))
        _ = session.commandsHandled()
        #expect(session.operatorAnswered(.accept).question?.problem?.hasPrefix("that makes an offset of -21 mm, beyond the ±20 mm Marlin accepts") == true)
    }

    @Test func testZMovesReadAsTyped() {
        #expect(TestZMove(text: "+") == .halfwayUp)
        #expect(TestZMove(text: "--") == .toNextDown)
        #expect(TestZMove(text: "-0.1") == .by(mm: -0.1))
        #expect(TestZMove(text: "0") == nil)
        #expect(TestZMove(text: "down") == nil)
    }

    @Test func anOffsetM851RefusesEndsTheRun() throws {
        var (session, _) = try positioned(.paperTest)
        _ = session.operatorAnswered(.accept)
        // bugfix-2.1.x with MARLIN_SMALL_BUILD says only `?`; others `?Z out of range (-20 to 20)`.
        let failure = try #require(session.lineReceived("?Z out of range (-20 to 20)").failure)
        #expect(failure.reason == "M851 refused the offset: \"?Z out of range (-20 to 20)\"")
        #expect(failure.safeStop == SafeStop(emergencyLines: ["M410"], lines: ["M211 S1"]))
    }

    @Test func withoutKnowingOfAnEEPROMTheSaveIsReadBackWithoutReloading() throws {
        var (session, _) = try positioned(.paperTest, save: true, eeprom: .unknown)
        _ = session.operatorAnswered(.testZ(.by(mm: -4.8)))
        _ = session.commandsHandled()
        _ = session.operatorAnswered(.accept)
        #expect(session.commandsHandled().batch?.lines == ["M500"])
        // No M501: without EEPROM_SETTINGS it would reset every setting to the firmware's defaults.
        #expect(session.answer("ok").batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(settingsReply("M851 X-44.00 Y-9.00 Z-1.45")).outcome)
        #expect(outcome.persistence == .storedUnverified)
    }
}
