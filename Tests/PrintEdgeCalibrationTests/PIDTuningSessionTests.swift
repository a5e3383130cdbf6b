import Testing
@testable import PrintEdgeCalibration

@Suite struct PIDTuningSessionTests {
    private func bedSession(apply: Bool = false, save: Bool = false, eeprom: EEPROMSupport = .unknown, emergencyParser: Bool = true) throws -> PIDTuningSession {
        PIDTuningSession(configuration: try .init(heater: .bed, targetCelsius: 60, cycles: 8, apply: apply, save: save, eeprom: eeprom, hasEmergencyParser: emergencyParser))
    }

    @Test func refusesFewerThanThreeCyclesBeforeSendingAnything() {
        #expect(throws: CalibrationRequestError.invalid(parameter: "cycles", reason: "2 is too few: M303 needs at least 3 cycles (with fewer Marlin prints Kp, Ki and Kd as 0.00); use 5 to 8")) {
            try PIDTuningSession.Configuration(heater: .hotend(tool: 0), targetCelsius: 210, cycles: 2)
        }
    }

    @Test func refusesToSaveOnFirmwareWithoutEEPROM() {
        #expect(throws: CalibrationRequestError.invalid(parameter: "save", reason: EEPROMSupport.cannotPersist)) {
            try PIDTuningSession.Configuration(heater: .bed, targetCelsius: 60, save: true, eeprom: .absent)
        }
    }

    @Test func tunesExclusivelyFollowsTheCyclesAndTurnsTheHeaterOff() throws {
        var session = try bedSession()
        let start = session.start()
        let batch = try #require(start.batch)
        #expect(batch.lines == ["M303 E-1 C8 S60"])
        #expect(batch.isExclusive)
        #expect(batch.limit == .seconds(8 * 20 * 60 + 600))
        let actions = session.receive(FirmwareSamples.bedTune)
        let reports = actions.flatMap(\.reports)
        #expect(reports.filter { $0.stage == .cycle }.count == 4)
        #expect(reports.contains(PIDTuningSession.Progress(stage: .temperature, temperatureCelsius: 59.30)))
        #expect(actions.allSatisfy { $0.next == .wait })
        let off = session.commandsHandled()
        #expect(off.batch?.lines == ["M140 S0"])
        let outcome = try #require(session.commandsHandled().outcome)
        #expect(outcome.kind == .pidBed)
        #expect(outcome.firmwareConstants == PIDConstants(kp: 74.16, ki: 13.72, kd: 267.33))
        #expect(outcome.statistics?.cycleCount == 2)
        #expect(outcome.applied == nil)
        #expect(outcome.persistence == .notRequested)
        #expect(session.commandsHandled() == .wait)
    }

    @Test func appliesSavesAndProvesItByReadingBack() throws {
        var session = try bedSession(save: true, eeprom: .present)
        #expect(session.start().batch?.lines == ["M503 S0"])
        let tune = session.answer(settingsReply("M304 P180.15 I35.19 D614.93"))
        #expect(tune.batch?.lines == ["M303 E-1 C8 S60"])
        let apply = session.answer(FirmwareSamples.bedTune)
        #expect(apply.batch?.lines == ["M140 S0", "M304 P74.16 I13.72 D267.33"])
        #expect(session.commandsHandled().batch?.lines == ["M500"])
        #expect(session.answer("echo:Settings Stored (612 bytes; crc 39918)\nok").batch?.lines == ["M501"])
        #expect(session.answer("ok").batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(settingsReply("M304 P74.16 I13.72 D267.33")).outcome)
        #expect(outcome.applied == PIDConstants(kp: 74.16, ki: 13.72, kd: 267.33))
        #expect(outcome.persistence == .verified)
        #expect(outcome.settingsBefore?.value("M304", "P")?.text == "180.15")
        #expect(outcome.settingsAfter?.value("M304", "P")?.text == "74.16")
    }

    @Test func appliesTheMedianPeriodCycleWhenAsked() throws {
        var session = PIDTuningSession(configuration: try .init(heater: .hotend(tool: 1), targetCelsius: 210, apply: true, choice: .medianPeriodCycle))
        _ = session.start()
        _ = session.answer(settingsReply("M301 E0 P22.20 I1.08 D114.00", "M301 E1 P22.20 I1.08 D114.00"))
        let tune = FirmwareSamples.hotendTune + """

            PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h
            #define DEFAULT_Kp 11.07
            #define DEFAULT_Ki 1.22
            #define DEFAULT_Kd 25.13
            ok
            """
        let apply = session.answer(tune)
        // Both periods are 18.16 s: the earlier cycle is the lower middle.
        #expect(apply.batch?.lines == ["M104 T1 S0", "M301 E1 P10.45 I1.15 D23.72"])
        #expect(session.commandsHandled().batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(settingsReply("M301 E0 P22.20 I1.08 D114.00", "M301 E1 P10.45 I1.15 D23.72")).outcome)
        #expect(outcome.persistence == .notRequested)
        #expect(outcome.firmwareConstants == PIDConstants(kp: 11.07, ki: 1.22, kd: 25.13))
    }

    @Test func aValueThatDoesNotReadBackFailsTheRun() throws {
        var session = try bedSession(apply: true)
        _ = session.start()
        _ = session.answer(settingsReply("M304 P180.15 I35.19 D614.93"))
        _ = session.answer(FirmwareSamples.bedTune)
        _ = session.commandsHandled()
        let failure = try #require(session.answer(settingsReply("M304 P180.15 I35.19 D614.93")).failure)
        #expect(failure.cause == .verification)
        #expect(failure.reason.hasPrefix("after setting it the printer reports Kp 180.15, not the 74.16 written"))
        #expect(failure.safeStop.isEmpty)
    }

    @Test func eepromDisabledSaysSaveCannotPersist() throws {
        var session = try bedSession(save: true, eeprom: .unknown)
        _ = session.start()
        _ = session.answer(settingsReply())
        _ = session.answer(FirmwareSamples.bedTune)
        #expect(session.commandsHandled().batch?.lines == ["M500"])
        let failure = try #require(session.answer("Error:EEPROM disabled\nok").failure)
        #expect(failure == CalibrationFailure(cause: .unsupported, reason: EEPROMSupport.cannotPersist, safeStop: SafeStop()))
    }

    @Test func eachFailureStringEndsWithItsReasonAndTheHeaterOff() throws {
        let cases: [(String, String)] = [
            ("PID Autotune failed! Temperature too high", "PID Autotune failed! Temperature too high: the target is above what the firmware allows for the bed"),
            ("PID Autotune failed! timeout", "PID Autotune failed! timeout: the bed did not cross the target"),
            ("PID Autotune failed! Bad heater id", "PID Autotune failed! Bad heater id: the firmware has no PID for the bed (PIDTEMPBED is off)"),
            ("Error:Heating failed, system stopped! Heater_ID: bed", "the firmware stopped the tune: \"Heating failed, system stopped! Heater_ID: bed\""),
            ("Error:Thermal Runaway, system stopped! Heater_ID: bed", "the firmware stopped the tune: \"Thermal Runaway, system stopped! Heater_ID: bed\""),
        ]
        for (line, reason) in cases {
            var session = try bedSession()
            _ = session.start()
            _ = session.lineReceived("PID Autotune start")
            let failure = try #require(session.lineReceived(line).failure, "\(line)")
            #expect(failure.reason.hasPrefix(reason), "\(failure.reason)")
            #expect(failure.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M140 S0"]))
            #expect(session.commandsHandled() == .wait)
        }
    }

    @Test func badHeaterIDOnAHotendPointsToMPC() throws {
        var session = PIDTuningSession(configuration: try .init(heater: .hotend(tool: 0), targetCelsius: 210))
        _ = session.start()
        let failure = try #require(session.lineReceived("PID Autotune failed! Bad heater id").failure)
        #expect(failure.cause == .unsupported)
        #expect(failure.reason.contains("tuned with M306 T"))
        #expect(failure.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M104 T0 S0"]))
    }

    @Test func anMPCHotendIsRefusedBeforeAnythingHeats() throws {
        var session = PIDTuningSession(configuration: try .init(heater: .hotend(tool: 0), targetCelsius: 210, apply: true))
        _ = session.start()
        let failure = try #require(session.answer(settingsReply("M306 E0 P40.00 C16.70 R0.18 A0.06 F0.10 H0.0107")).failure)
        #expect(failure.cause == .unsupported)
        #expect(failure.reason.contains("M306 T"))
        #expect(failure.safeStop.isEmpty)
    }

    @Test func firmwareWithoutM303SaysSo() throws {
        var session = try bedSession()
        _ = session.start()
        let failure = try #require(session.lineReceived("echo:Unknown command: \"M303 E-1 C8 S60\"").failure)
        #expect(failure.cause == .unsupported)
    }

    @Test func allZeroConstantsAreAFailureNotAResult() throws {
        var session = PIDTuningSession(configuration: try .init(heater: .hotend(tool: 0), targetCelsius: 222, cycles: 3))
        _ = session.start()
        // MarlinFirmware/Marlin#6316: with too few cycles the result is zeros.
        let failure = try #require(session.answer("""
            PID Autotune start
            PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h
            #define DEFAULT_Kp 0.00
            #define DEFAULT_Ki 0.00
            #define DEFAULT_Kd 0.00
            ok
            """).failure)
        #expect(failure.reason.hasPrefix("M303 finished with Kp, Ki and Kd all 0.00"))
        #expect(failure.safeStop.lines == ["M104 T0 S0"])
    }

    @Test func aTuneCutShortIsAFailureWithTheHeaterOff() throws {
        var session = try bedSession()
        _ = session.start()
        let failure = try #require(session.answer(FirmwareSamples.hotendTune).failure)
        #expect(failure.cause == .unreadableOutput)
        #expect(failure.safeStop.lines == ["M140 S0"])
    }

    @Test func theFanIsSetForTheTuneAndTurnedOffAfter() throws {
        var session = PIDTuningSession(configuration: try .init(heater: .hotend(tool: 0), targetCelsius: 210, fanPercent: 50))
        #expect(session.start().batch?.lines == ["M106 S128", "M303 E0 C5 S210"])
        let failure = try #require(session.cancelled().failure)
        #expect(failure.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M104 T0 S0", "M107"]))
    }

    @Test func cancellingInEachStateLeavesWhatItTurnedOnOff() throws {
        // Before anything heats: nothing to undo.
        var reading = try bedSession(apply: true)
        _ = reading.start()
        #expect(reading.cancelled().failure == CalibrationFailure(cause: .cancelled, reason: "the PID tune was stopped", safeStop: SafeStop()))

        // During the tune, without EMERGENCY_PARSER: the failure says M108 cannot reach it.
        var tuning = try bedSession(emergencyParser: false)
        _ = tuning.start()
        let stopped = try #require(tuning.cancelled().failure)
        #expect(stopped.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M140 S0"]))
        #expect(stopped.reason.contains("no EMERGENCY_PARSER"))

        // While the heater-off line is in flight: still turned off.
        var settling = try bedSession()
        _ = settling.start()
        _ = settling.receive(FirmwareSamples.bedTune)
        _ = settling.commandsHandled()
        #expect(settling.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M140 S0"]))

        // Reading back after the heater was turned off: nothing left to undo.
        var verifying = try bedSession(apply: true)
        _ = verifying.start()
        _ = verifying.answer(settingsReply())
        _ = verifying.answer(FirmwareSamples.bedTune)
        _ = verifying.commandsHandled()
        #expect(verifying.cancelled().failure?.safeStop.isEmpty == true)
        #expect(verifying.cancelled() == .wait)
    }

    @Test func aLostLinkOrATimeoutDuringTheTuneTurnsTheHeaterOff() throws {
        var lost = try bedSession()
        _ = lost.start()
        let link = try #require(lost.linkLost().failure)
        #expect(link.cause == .linkLost)
        #expect(link.safeStop.lines == ["M140 S0"])
        var late = try bedSession()
        _ = late.start()
        let timeout = try #require(late.timedOut().failure)
        #expect(timeout.cause == .timedOut)
        #expect(timeout.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M140 S0"]))
    }

    @Test func aResetDuringTheTuneIsAFailure() throws {
        var session = try bedSession()
        _ = session.start()
        let failure = try #require(session.lineReceived("start").failure)
        #expect(failure.reason.hasPrefix("the printer reset"))
    }

    @Test func theOutcomeEncodesWithSnakeCaseKeys() throws {
        var session = try bedSession()
        _ = session.start()
        _ = session.receive(FirmwareSamples.bedTune)
        _ = session.commandsHandled()
        let outcome = try #require(session.commandsHandled().outcome)
        let json = try jsonObject(outcome)
        #expect(json["kind"] as? String == "pid_bed")
        #expect(Set(json.keys) == ["kind", "heater", "target_celsius", "cycles_requested", "firmware_constants", "cycles", "statistics", "persistence"])
        let statistics = try #require(json["statistics"] as? [String: Any])
        #expect(Set(statistics.keys) == ["cycle_count", "kp", "ki", "kd", "median_period_cycle"])
        let heater = try #require(json["heater"] as? [String: Any])
        #expect(heater["kind"] as? String == "bed")
    }
}
