import Foundation
import Testing
@testable import PrintEdgeCalibration

@Suite struct FirmwareSettingsTests {
    private func parse(_ text: String) throws -> FirmwareSettings {
        var parser = FirmwareSettingsParser()
        for line in FirmwareSamples.lines(text) { parser.consume(line) }
        return try parser.result()
    }

    @Test func normalisesACapturedM503ReportToReplayableLines() throws {
        let settings = try parse(FirmwareSamples.settingsReport)
        // Headings and `echo:` dropped, `; (mm)` comments stripped; the G21 line without
        // `echo:` (a 2021 build's quirk) read like the others.
        #expect(settings.replayText == """
            G21
            M149 C
            M200 S0 D1.75
            M92 X80.00 Y80.00 Z800.00 E142.00
            M203 X500.00 Y500.00 Z10.00 E50.00
            M420 S1 Z10.00
            G29 W I0 J0 Z-0.07876
            M301 P22.20 I1.08 D114.00
            M304 P180.15 I35.19 D614.93
            M851 X-44.00 Y-9.00 Z-1.65

            """)
        #expect(settings.value("M92", "E")?.number == 142)
        #expect(settings.value("M851", "Z")?.text == "-1.65")
    }

    @Test func readsM503S0TheSameWayAndSkipsUBLStateLinesAndChatter() throws {
        let settings = try parse("""
            G21
            M92 X80.00 Y80.00 Z400.00 E93.00
             T:210.00 /210.00 B:60.00 /60.00 @:127 B@:0
            echo:busy: processing
            Unified Bed Leveling System v1.01 active
            echo:Active Mesh Slot: 1
            echo:EEPROM can hold 10 meshes.
            M420 S1 Z10.00
            ok
            """)
        #expect(settings.commands.map(\.description) == ["G21", "M92 X80.00 Y80.00 Z400.00 E93.00", "M420 S1 Z10.00"])
    }

    @Test func aDamagedSettingsLineIsAnErrorNotADroppedLine() {
        var parser = FirmwareSettingsParser()
        parser.consume("echo:  M92 X80.00 Y80.00 Z400.00 E93.00")
        parser.consume("echo:  M851 X-44.00 Y-9.#0 Z-1.65 ; (mm)")
        #expect(throws: CalibrationParseError.unreadable(what: "M503's settings report", line: "M851 X-44.00 Y-9.#0 Z-1.65 ; (mm)",
                                                         detail: "a settings line holds something other than letters with numbers")) {
            try parser.result()
        }
    }

    @Test func aReportWithoutStepsPerUnitWasCutShort() {
        var parser = FirmwareSettingsParser()
        parser.consume("echo:  M420 S1 Z10.00 ; Leveling ON")
        #expect(throws: CalibrationParseError.self) { try parser.result() }
        #expect(throws: CalibrationParseError.missing(what: "M503", detail: "the firmware reported no settings (M503 disabled with DISABLE_M503, or a firmware that does not report them)")) {
            try FirmwareSettingsParser().result()
        }
    }

    @Test func theDiffKeysOnCommandAndIdentityWordsAndComparesNumbers() throws {
        let old = try FirmwareSettings(replayText: """
            M92 X80.00 Y80.00 Z400.00 E93.00
            M92 T1 E93.00
            M301 P22.20 I1.08 D114.00
            G29 W I0 J0 Z-0.07876
            G29 W I1 J0 Z0.01000
            M145 S0 H200.00 B60.00 F0
            M145 S1 H240.00 B110.00 F0
            M413 S1
            """)
        let new = try FirmwareSettings(replayText: """
            M92 X80.0 Y80.00 Z400.00 E415.00
            M92 T1 E93.00
            M301 P22.20 I1.08 D114.00
            G29 W I0 J0 Z-0.05000
            G29 W I1 J0 Z0.01000
            M145 S0 H200.00 B60.00 F0
            M145 S1 H245.00 B110.00 F0
            M851 X0.00 Y0.00 Z-1.20
            """)
        #expect(old.differences(to: new) == [
            SettingsDifference(change: .changed, command: "M92", parameter: "E", before: "93.00", after: "415.00"),
            SettingsDifference(change: .changed, command: "G29 W I0 J0", parameter: "Z", before: "-0.07876", after: "-0.05000"),
            SettingsDifference(change: .changed, command: "M145 S1", parameter: "H", before: "240.00", after: "245.00"),
            SettingsDifference(change: .added, command: "M851", after: "M851 X0.00 Y0.00 Z-1.20"),
            SettingsDifference(change: .removed, command: "M413", before: "M413 S1"),
        ])
        #expect(new.differences(to: new).isEmpty)
        #expect(SettingsDifference(change: .changed, command: "M92", parameter: "E", before: "93.00", after: "415.00").description == "M92 E: 93.00 → 415.00")
    }

    @Test func encodesAsReplayLinesAndRefusesToDecodeAnythingElse() throws {
        let settings = try FirmwareSettings(replayText: "G21\nM92 X80.00 E93.00\n")
        let data = try JSONEncoder().encode(settings)
        #expect(String(decoding: data, as: UTF8.self) == #"{"lines":["G21","M92 X80.00 E93.00"]}"#)
        #expect(try JSONDecoder().decode(FirmwareSettings.self, from: data) == settings)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FirmwareSettings.self, from: Data(#"{"lines":["G21","rm -rf /"]}"#.utf8))
        }
    }

    @Test func storedTextWithALineThatIsNotASettingIsRefusedWithItsNumber() {
        #expect(throws: CalibrationParseError.unreadable(what: "settings line 2", line: "hello", detail: "a settings line is G-code such as `M92 X80.00 E93.00`")) {
            try FirmwareSettings(replayText: "G21\nhello\n")
        }
    }

    @Test func aValueIsFoundByItsSelectorOrOnALineWithoutOne() throws {
        let settings = try FirmwareSettings(replayText: "M92 X80.00 Y80.00 Z400.00\nM92 T0 E93.00\nM92 T1 E95.00\nM301 P22.20 I1.08 D114.00\n")
        #expect(settings.value("M92", "E", where: ["T": "1"])?.number == 95)
        #expect(settings.value("M92", "E", where: ["T": "0"])?.number == 93)
        // A single-hotend M301 (no E word) is hotend 0's and also matches a selector.
        #expect(settings.value("M301", "P", where: ["E": "0"])?.number == 22.2)
    }

    @Test func keysOnCommandsNotHeadingsSoOldBuildsReadTheSame() throws {
        // Captured: a 2.0.5-era M503 (cp2004/OctoPrint-EEPROM-Marlin tests/M503/issue33_debug.gcode)
        // used headings that builds since the 2021 "Standardize G-code reporting" renamed.
        let old = try parse("""
            echo:; Steps per unit:
            echo:  M92 X80.00 Y80.00 Z400.00 E93.00
            echo:; PID settings:
            echo:  M301 P22.20 I1.08 D114.00
            echo:; Z-Probe Offset (mm):
            echo:  M851 X0.00 Y0.00 Z-1.65
            """)
        let new = try parse("""
            echo:; Steps per unit:
            echo:  M92 X80.00 Y80.00 Z400.00 E93.00
            echo:; Hotend PID:
            echo:  M301 P22.20 I1.08 D114.00
            echo:; Z-Probe Offset:
            echo:  M851 X0.00 Y0.00 Z-1.65 ; (mm)
            """)
        #expect(old == new)
        #expect(old.differences(to: new).isEmpty)
    }
}
