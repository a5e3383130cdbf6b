import Testing
@testable import PrintEdgeCalibration

@Suite struct ExtruderStepsSessionTests {
    private func session(save: Bool = false, eeprom: EEPROMSupport = .unknown, tool: Int = 0) throws -> ExtruderStepsSession {
        ExtruderStepsSession(configuration: try .init(tool: tool, temperatureCelsius: 210, save: save, eeprom: eeprom))
    }

    /// Through the extrusion, up to the length question.
    private func extruded(_ session: inout ExtruderStepsSession) {
        _ = session.start()
        _ = session.answer(settingsReply())
        _ = session.commandsHandled()
        _ = session.operatorAnswered(.yes)
        _ = session.commandsHandled()
    }

    @Test func readsHeatsMarksExtrudesMeasuresAppliesAndReadsBack() throws {
        var session = try session()
        #expect(session.start().batch?.lines == ["M503 S0"])
        let heat = session.answer(settingsReply())
        #expect(heat.batch?.lines == ["M104 T0 S210", "M109 T0 S210"])
        let mark = try #require(session.commandsHandled().question)
        #expect(mark.kind == .confirm)
        #expect(mark.prompt.hasPrefix("Mark the filament 120 mm above where it enters the extruder"))
        let extrude = try #require(session.operatorAnswered(.yes).batch)
        // Relative extrusion, slowly, then the heater off as soon as it is done.
        #expect(extrude.lines == ["M83", "G1 E100 F60", "M400", "M104 T0 S0"])
        #expect(extrude.limit == .seconds(260))
        let length = try #require(session.commandsHandled().question)
        #expect(length.kind == .length)
        #expect(length.maximumMM == 120)
        let apply = try #require(session.operatorAnswered(.length(mm: 23.5)).batch)
        #expect(apply.lines == ["M92 E96.37"])
        #expect(session.commandsHandled().batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(settingsReply().replacingOccurrences(of: "E93.00", with: "E96.37")).outcome)
        #expect(outcome.kind == .extruderSteps)
        #expect(outcome.calculation.previousStepsPerMM == 93)
        #expect(outcome.calculation.extrudedMM == 96.5)
        #expect(outcome.persistence == .notRequested)
        #expect(outcome.settingsBefore?.value("M92", "E")?.text == "93.00")
        #expect(outcome.settingsAfter?.value("M92", "E")?.text == "96.37")
    }

    @Test func aChangeOverTwentyPercentIsConfirmedOrMeasuredAgain() throws {
        var session = try session()
        extruded(&session)
        // 100 mm "left" of 120: only 20 mm went in, a +365 % change.
        let confirm = try #require(session.operatorAnswered(.length(mm: 100)).question)
        #expect(confirm.kind == .confirm)
        #expect(confirm.prompt.contains("more than a 20 % change"))
        let again = try #require(session.operatorAnswered(.no).question)
        #expect(again.kind == .length)
        #expect(session.operatorAnswered(.length(mm: 100)).question?.kind == .confirm)
        #expect(session.operatorAnswered(.yes).batch?.lines == ["M92 E465"])
    }

    @Test func anImpossibleLengthIsAskedAgainWithTheReason() throws {
        var session = try session()
        extruded(&session)
        let question = try #require(session.operatorAnswered(.length(mm: 130)).question)
        #expect(question.problem?.hasPrefix("remaining length: 130 mm is not less than the 120 mm the mark was at") == true)
        #expect(session.operatorAnswered(.yes).question?.problem == "give the length in mm, e.g. 20.5")
    }

    @Test func aSecondExtruderIsAddressedByItsNumber() throws {
        var session = try session(tool: 1)
        _ = session.start()
        let heat = session.answer(settingsReply("M92 T0 E93.00", "M92 T1 E415.00"))
        #expect(heat.batch?.lines == ["M104 T1 S210", "M109 T1 S210"])
        _ = session.commandsHandled()
        #expect(session.operatorAnswered(.yes).batch?.lines.first == "T1")
        _ = session.commandsHandled()
        #expect(session.operatorAnswered(.length(mm: 20)).batch?.lines == ["M92 T1 E415"])
    }

    @Test func savesAndProvesItOnFirmwareWithEEPROM() throws {
        var session = try session(save: true, eeprom: .present)
        extruded(&session)
        _ = session.operatorAnswered(.length(mm: 20))
        #expect(session.commandsHandled().batch?.lines == ["M500"])
        #expect(session.answer("ok").batch?.lines == ["M501"])
        #expect(session.answer("ok").batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(settingsReply()).outcome)
        #expect(outcome.persistence == .verified)
    }

    @Test func aCorruptEEPROMOnReloadFailsTheSave() throws {
        var session = try session(save: true, eeprom: .present)
        extruded(&session)
        _ = session.operatorAnswered(.length(mm: 20))
        _ = session.commandsHandled()
        _ = session.answer("ok")
        let failure = try #require(session.answer("Error:EEPROM CRC mismatch - (stored) 4235 != 1234 (calculated)!\nok").failure)
        #expect(failure.cause == .verification)
    }

    @Test func withoutAnM92LineThereIsNothingToCalibrate() throws {
        var session = try session()
        _ = session.start()
        let failure = try #require(session.answer("G21\nM92 X80.00 Y80.00 Z400.00\nok").failure)
        #expect(failure.reason == "M503 S0 reported no steps per mm for extruder 0 (no `M92 … E…` line)")
        #expect(failure.safeStop.isEmpty)
    }

    @Test func cancellingInEachStateTurnsOffWhatItStarted() throws {
        var reading = try session()
        _ = reading.start()
        #expect(reading.cancelled().failure?.safeStop == SafeStop())

        var heating = try session()
        _ = heating.start()
        _ = heating.answer(settingsReply())
        #expect(heating.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M104 T0 S0"]))

        var marking = try session()
        _ = marking.start()
        _ = marking.answer(settingsReply())
        _ = marking.commandsHandled()
        #expect(marking.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M108"], lines: ["M104 T0 S0"]))

        var extruding = try session()
        _ = extruding.start()
        _ = extruding.answer(settingsReply())
        _ = extruding.commandsHandled()
        _ = extruding.operatorAnswered(.yes)
        #expect(extruding.cancelled().failure?.safeStop == SafeStop(emergencyLines: ["M410", "M108"], lines: ["M104 T0 S0"]))

        var measuring = try session()
        extruded(&measuring)
        let stopped = try #require(measuring.cancelled().failure)
        #expect(stopped.safeStop.isEmpty)
        #expect(stopped.reason == "the e-steps calibration was stopped; the steps per mm are unchanged")
        #expect(measuring.cancelled() == .wait)
    }

    @Test func aHeaterFaultOrALostLinkWhileHeatingLeavesTheHeaterOff() throws {
        var faulted = try session()
        _ = faulted.start()
        _ = faulted.answer(settingsReply())
        let failure = try #require(faulted.lineReceived("Error:Thermal Runaway, system stopped! Heater_ID: E0").failure)
        #expect(failure.cause == .firmware)
        #expect(failure.safeStop.lines == ["M104 T0 S0"])
        var lost = try session()
        _ = lost.start()
        _ = lost.answer(settingsReply())
        #expect(lost.linkLost().failure?.safeStop.lines == ["M104 T0 S0"])
        var slow = try session()
        _ = slow.start()
        _ = slow.answer(settingsReply())
        #expect(slow.timedOut().failure?.reason.hasPrefix("the hotend did not reach its temperature in time") == true)
    }

    @Test func refusesAColdOrOddRequestBeforeStarting() {
        #expect(throws: CalibrationRequestError.self) { try ExtruderStepsSession.Configuration(temperatureCelsius: 150) }
        #expect(throws: CalibrationRequestError.self) { try ExtruderStepsSession.Configuration(requestedMM: 100, markDistanceMM: 102, temperatureCelsius: 200) }
        #expect(throws: CalibrationRequestError.invalid(parameter: "save", reason: EEPROMSupport.cannotPersist)) {
            try ExtruderStepsSession.Configuration(temperatureCelsius: 200, save: true, eeprom: .absent)
        }
    }

    @Test func theOutcomeEncodesWithSnakeCaseKeys() throws {
        var session = try session()
        extruded(&session)
        _ = session.operatorAnswered(.length(mm: 20))
        _ = session.commandsHandled()
        let outcome = try #require(session.answer(settingsReply().replacingOccurrences(of: "E93.00", with: "E93")).outcome)
        let json = try jsonObject(outcome)
        #expect(Set(json.keys) == ["kind", "tool", "calculation", "persistence", "settings_before", "settings_after"])
        let calculation = try #require(json["calculation"] as? [String: Any])
        #expect(calculation["new_steps_per_mm"] as? Double == 93)
    }
}
