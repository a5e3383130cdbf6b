import Testing
@testable import PrintEdgeCalibration

@Suite struct SettingsSessionTests {
    @Test func backsUpTheSettingsAsReplayableLines() throws {
        var session = SettingsBackupSession()
        #expect(session.start().batch?.lines == ["M503 S0"])
        let outcome = try #require(session.answer(FirmwareSamples.settingsReport).outcome)
        #expect(outcome.kind == .settingsBackup)
        #expect(outcome.settings.commands.count == 10)
        #expect(outcome.settingsBefore == outcome.settings)
        let json = try jsonObject(outcome)
        #expect(Set(json.keys) == ["kind", "settings"])
    }

    @Test func firmwareThatCannotReportSettingsSaysSo() throws {
        var session = SettingsBackupSession()
        _ = session.start()
        let failure = try #require(session.lineReceived("echo:Unknown command: \"M503 S0\"").failure)
        #expect(failure.cause == .unsupported)
        #expect(failure.reason.contains("DISABLE_M503"))
    }

    @Test func restoresReplaysMeshPointsBeforeLevelingAndProvesEveryValue() throws {
        let snapshot = try FirmwareSettings(replayText: """
            G21
            M92 X80.00 Y80.00 Z400.00 E93.00
            M420 S1 Z10.00
            G29 W I0 J0 Z-0.07876
            M851 X-44.00 Y-9.00 Z-1.65
            """)
        var session = SettingsRestoreSession(configuration: try .init(settings: snapshot, save: true, eeprom: .present))
        #expect(session.start().batch?.lines == ["M503 S0"])
        let replay = try #require(session.answer("G21\nM92 X80.00 Y80.00 Z400.00 E415.00\nM420 S0 Z10.00\nM851 X-44.00 Y-9.00 Z-2.00\nok").batch)
        #expect(replay.lines == ["G21", "M92 X80.00 Y80.00 Z400.00 E93.00", "M851 X-44.00 Y-9.00 Z-1.65", "G29 W I0 J0 Z-0.07876", "M420 S1 Z10.00"])
        #expect(session.answer("ok\nok\nok\nok\nok").batch?.lines == ["M500"])
        _ = session.answer("ok")
        _ = session.answer("ok")
        let outcome = try #require(session.answer(snapshot.replayText + "ok").outcome)
        #expect(outcome.persistence == .verified)
        #expect(outcome.changes.contains(SettingsDifference(change: .changed, command: "M92", parameter: "E", before: "415.00", after: "93.00")))
        #expect(outcome.changes.contains(SettingsDifference(change: .added, command: "G29 W I0 J0", after: "G29 W I0 J0 Z-0.07876")))
        #expect(outcome.invalidates.contains(.zOffset))
    }

    @Test func aValueThatDidNotTakeFailsTheRestore() throws {
        let snapshot = try FirmwareSettings(replayText: "M92 X80.00 Y80.00 Z400.00 E93.00\nM851 X-44.00 Y-9.00 Z-1.65\n")
        var session = SettingsRestoreSession(configuration: try .init(settings: snapshot))
        _ = session.start()
        _ = session.answer(snapshot.replayText + "ok")
        _ = session.answer("ok\nok")
        let failure = try #require(session.answer("M92 X80.00 Y80.00 Z400.00 E93.00\nok").failure)
        #expect(failure.cause == .verification)
        #expect(failure.reason == "after setting it the printer reports no M851 line: it did not keep what was written")
    }

    @Test func aSnapshotFromAnotherFirmwareIsRefusedLineByLine() throws {
        let snapshot = try FirmwareSettings(replayText: "M92 E93.00\nM593 X F40.00 D0.15\n")
        var session = SettingsRestoreSession(configuration: try .init(settings: snapshot, save: true))
        _ = session.start()
        _ = session.answer(settingsReply())
        let failure = try #require(session.answer("ok\necho:Unknown command: \"M593 X F40.00 D0.15\"\nok").failure)
        #expect(failure.cause == .firmware)
        #expect(failure.reason.hasPrefix("the firmware refused part of the snapshot (`Unknown command: \"M593 X F40.00 D0.15\"`)"))
    }

    @Test func onlySettingsAreEverReplayed() {
        #expect(throws: CalibrationRequestError.invalid(parameter: "snapshot", reason: "it holds lines that are not settings and are never replayed: G28, M104 S200, M306 T")) {
            try SettingsRestoreSession.Configuration(settings: FirmwareSettings(replayText: "M92 E93\nG28\nM104 S200\nM306 T\nG29 W I0 J0 Z0.1\n"))
        }
        #expect(throws: CalibrationRequestError.self) { try SettingsRestoreSession.Configuration(settings: FirmwareSettings(commands: [])) }
    }

    @Test func withoutEEPROMSaveIsRefusedUpFront() throws {
        #expect(throws: CalibrationRequestError.invalid(parameter: "save", reason: EEPROMSupport.cannotPersist)) {
            try SettingsRestoreSession.Configuration(settings: FirmwareSettings(replayText: "M92 E93\n"), save: true, eeprom: .absent)
        }
    }

    @Test func anInterruptedRestoreSaysTheSettingsMayBePartlyRestored() throws {
        let snapshot = try FirmwareSettings(replayText: "M92 E93.00\n")
        var session = SettingsRestoreSession(configuration: try .init(settings: snapshot))
        _ = session.start()
        #expect(session.cancelled().failure?.reason == "the restore was stopped before anything changed")
        var replaying = SettingsRestoreSession(configuration: try .init(settings: snapshot))
        _ = replaying.start()
        _ = replaying.answer(settingsReply())
        let failure = try #require(replaying.linkLost().failure)
        #expect(failure.reason.hasSuffix("the settings may be partly restored; restore again, or reload the saved ones with M501"))
        #expect(failure.safeStop.isEmpty)
    }
}
