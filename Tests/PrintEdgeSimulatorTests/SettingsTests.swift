import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// M92/M301/M304, M500–M504 and the EEPROM image, M503's two forms.
@Suite struct SettingsTests {
    static let report = [
        "echo:; Linear Units:", "echo:  G21 ; (mm)",
        "echo:; Temperature Units:", "echo:  M149 C ; Units in Celsius",
        "echo:; Filament settings (Disabled):", "echo:  M200 S0 D1.75",
        "echo:; Steps per unit:", "echo:  M92 X80.00 Y80.00 Z400.00 E93.00",
        "echo:; Max feedrates (units/s):", "echo:  M203 X300.00 Y300.00 Z5.00 E25.00",
        "echo:; Max Acceleration (units/s2):", "echo:  M201 X3000.00 Y3000.00 Z100.00 E10000.00",
        "echo:; Acceleration (units/s2) (P<print-accel> R<retract-accel> T<travel-accel>):",
        "echo:  M204 P3000.00 R3000.00 T3000.00",
        "echo:; Advanced (B<min_segment_time_us> S<min_feedrate> T<min_travel_feedrate> J<junc_dev>):",
        "echo:  M205 B20000.00 S0.00 T0.00 J0.01",
        "echo:; Home offset:", "echo:  M206 X0.00 Y0.00 Z0.00",
        "echo:; Auto Bed Leveling:", "echo:  M420 S0 Z10.00 ; Leveling OFF",
        "echo:; Material heatup parameters:", "echo:  M145 S0 H180.00 B70.00 F0", "echo:  M145 S1 H240.00 B110.00 F0",
        "echo:; Hotend PID:", "echo:  M301 P22.20 I1.08 D114.00",
        "echo:; Bed PID:", "echo:  M304 P10.00 I0.02 D305.40",
        "echo:; Z-Probe Offset:", "echo:  M851 X10.00 Y10.00 Z0.00 ; (mm)",
    ]

    @Test func m503HeadsEachSectionAndPrefixesEveryLine() {
        var rig = PrinterRig.calibration()
        #expect(rig.command("M503") == Self.report + ["ok"])
    }

    @Test func m503S0IsBareReplayableGCode() {
        var rig = PrinterRig.calibration()
        let bare = Self.report.filter { !$0.hasPrefix("echo:;") }.map { String($0.dropFirst("echo:".count)) }
        #expect(rig.command("M503 S0") == bare + ["ok"])
        #expect(rig.command("M503 S1") == Self.report + ["ok"])
    }

    @Test func readbacksPrintOneLineForReplay() {
        var rig = PrinterRig.calibration()
        _ = rig.command("M92 E412.5")
        _ = rig.command("M301 P16.86 I2.02 D35.19")
        _ = rig.command("M304 D600")
        #expect(rig.command("M92") == ["  M92 X80.00 Y80.00 Z400.00 E412.50", "ok"])
        #expect(rig.command("M301") == ["  M301 P16.86 I2.02 D35.19", "ok"])
        #expect(rig.command("M304") == ["  M304 P10.00 I0.02 D600.00", "ok"])
        #expect(rig.command("M301 E1 P1") == ["Error:Invalid extruder", "ok"])
    }

    @Test func m500StoresWhatASecondPrinterWithTheSameImageLoads() throws {
        var first = PrinterRig.calibration { $0.probeGridPoints = 3 }
        for command in ["M92 E101.2", "M301 P17 I2.5 D30", "M304 P70 I5 D600", "M851 X-40 Y-10 Z-1.85", "G28", "G29"] {
            _ = first.command(command)
        }
        let stored = first.command("M500")
        #expect(stored.count == 2 && stored[0].hasPrefix("echo:Settings Stored (629 bytes; crc ") && stored[1] == "ok")
        let written = first.printer.takeEEPROMWrite()
        let image = try #require(written)
        #expect(first.printer.takeEEPROMWrite() == nil, "taken once")

        let loaded = try EEPROMImage.decode(image)
        var second = PrinterRig(banner: true) {
            $0.probeGridPoints = 3
            $0.storedSettings = loaded
        }
        let banner = second.run(for: .seconds(1))
        #expect(banner.last == stored[0].replacing("Settings Stored", with: "V86 stored settings retrieved"))
        let replay = first.command("M503 S0")
        #expect(second.command("M503 S0") == replay)
        #expect(replay.contains("  M420 S1 Z10.00 ; Leveling ON") && replay.contains("  G29 W I2 J2 Z0.00000"))
    }

    @Test func anImageRoundTripsExactly() throws {
        var settings = CalibrationSettings.defaults
        settings.hotendPID = PIDConstants(p: 16.861_234_5, i: 0.1 + 0.2, d: 1e-7)
        settings.mesh = mesh(rows: [[0.1, nil], [-0.000_01, 3]])
        settings.levelingActive = true
        #expect(try EEPROMImage.decode(EEPROMImage.encode(settings)) == settings)
    }

    @Test func aBadImageSaysWhichLineAndWhy() {
        let good = EEPROMImage.encode(.defaults)
        func failure(_ text: String) -> String? {
            do {
                _ = try EEPROMImage.decode(text)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(failure(good) == nil)
        #expect(failure(good.replacing("bed_pid 10.0", with: "bed_pid x")) == "line 5: bed_pid needs 3 finite numbers")
        #expect(failure(good.replacing("mesh none\n", with: "")) == "`mesh` is missing (write `mesh none` for no mesh)")
        #expect(failure(good + "version 1\n") == "line 10: version appears twice")
        #expect(failure(good.replacing("version 1", with: "version 2")) == "line 2: version 2.0 is not 1")
        #expect(failure("") == "`version` is missing")
    }

    @Test func aStoredMeshOfAnotherGridIsAConfigurationProblem() {
        var configuration = VirtualMarlinConfiguration()
        configuration.storedSettings?.mesh = mesh(rows: [[0, 0], [0, 0]])
        #expect(configuration.problem == "the stored mesh is 2x2 but the probe grid is 5x5")
    }

    @Test func unsavedChangesAreLostAtAResetAndM501() {
        var rig = PrinterRig.calibration()
        _ = rig.command("M92 E100")
        _ = rig.resetBoard() + rig.runUntilIdle()
        #expect(rig.command("M92") == ["  M92 X80.00 Y80.00 Z400.00 E93.00", "ok"])
        _ = rig.command("M92 E100")
        let loaded = rig.command("M501")
        #expect(loaded.first?.hasPrefix("echo:V86 stored settings retrieved (629 bytes; crc ") == true)
        #expect(Array(loaded.dropFirst()) == Self.report + ["ok"])
    }

    @Test func m502LoadsTheDefaultsUntilM500() {
        var rig = PrinterRig.calibration()
        _ = rig.command("M851 Z-2")
        _ = rig.command("M500")
        #expect(rig.command("M502") == ["echo:Hardcoded Default Settings Loaded", "ok"])
        #expect(rig.command("M851") == ["  M851 X10.00 Y10.00 Z0.00 ; (mm)", "ok"])
        _ = rig.command("M501")
        #expect(rig.command("M851") == ["  M851 X10.00 Y10.00 Z-2.00 ; (mm)", "ok"])
        #expect(rig.command("M504") == ["echo:EEPROM OK", "ok"])
    }

    @Test func withoutEEPROMM500FailsAndM501WipesToDefaults() {
        var rig = PrinterRig(banner: true) {
            $0.hasEEPROM = false
            $0.probeScatterMillimetres = 0
        }
        #expect(rig.run(for: .seconds(1)).last == "echo:Hardcoded Default Settings Loaded")
        _ = rig.command("M92 E100")
        #expect(rig.command("M500") == ["Error:EEPROM disabled", "ok"])
        #expect(rig.command("M501") == ["echo:Hardcoded Default Settings Loaded"] + Self.report + ["ok"])
        #expect(rig.command("M504") == ["echo:Unknown command: \"M504\"", "ok"])
        #expect(rig.command("M115").contains("Cap:EEPROM:0"))
        #expect(rig.printer.takeEEPROMWrite() == nil)
    }

    @Test func aBlankEEPROMBootsWithTheDefaults() {
        var rig = PrinterRig(banner: true) { $0.storedSettings = nil }
        #expect(rig.run(for: .seconds(1)).last == "echo:Hardcoded Default Settings Loaded")
        #expect(rig.command("M501").first == "echo:Hardcoded Default Settings Loaded")
    }

    @Test func bedShapeSpecificationsAreCheckedWhole() throws {
        #expect(try BedSurface(specification: "tilt-x=0.2,tilt-y=-0.1,bow=0.05,noise=0.01")
            == BedSurface(tiltXPer100MM: 0.2, tiltYPer100MM: -0.1, bowMillimetres: 0.05, noiseMillimetres: 0.01))
        #expect(try BedSurface(specification: "bow=-0.1") == BedSurface(tiltXPer100MM: 0, tiltYPer100MM: 0, bowMillimetres: -0.1, noiseMillimetres: 0))
        for bad in ["tilt=1", "bow=0.1,bow=0.2", "noise=-1", "tilt-x=11", "tilt-x", "", "bow=nan"] {
            #expect(throws: BedSurface.SpecificationError.self, "\(bad)") { try BedSurface(specification: bad) }
        }
    }
}
