/// The settings commands: M92, M301, M304, M851, M290 and the EEPROM's M500–M504
/// (gcode/config, gcode/probe/M851.cpp, gcode/motion/M290.cpp, gcode/eeprom, Marlin 2.1).
///
/// Asked without parameters, M92, M301, M304 and M851 print their line "for replay", as
/// their `*_report(true)` does: no `echo:`, no heading (`  M851 X10.00 Y10.00 Z0.00 ; (mm)`),
/// unlike the same lines inside M503.
///
/// EEPROM: with EEPROM_SETTINGS (the default) M500 copies the settings into the EEPROM
/// and the owner persists `takeEEPROMWrite()`; M501 and every reset load it back; M502
/// loads the defaults. Without it (`hasEEPROM` false) M500 answers `Error:EEPROM disabled`
/// and M501 resets to the defaults and reports them, as `MarlinSettings::load()` does there —
/// silently wiping anything not compiled in.
///
/// Simpler than Marlin: M92's X, Y and Z change what is reported, not how far the nozzle
/// moves (only E's steps reach the extrusion accounting); non-positive steps are ignored.
extension VirtualMarlin {
    /// EEPROM_SIZE-independent bytes Marlin reports for this configuration's data.
    static let eepromDataBytes = 629

    /// M92 [X] [Y] [Z] [E].
    mutating func setStepsPerUnit(_ command: GCodeCommand) {
        guard command.seenAnyAxis else {
            printStepsPerUnit(forReplay: true)
            return
        }
        if let value = command.value("X"), value > 0 { settings.stepsPerMM.x = value }
        if let value = command.value("Y"), value > 0 { settings.stepsPerMM.y = value }
        if let value = command.value("Z"), value > 0 { settings.stepsPerMM.z = value }
        if let value = command.value("E"), value > 0 { settings.stepsPerMM.e = value }
    }

    /// M301 [E0] [P] [I] [D]: one hotend, so any other E is `Error:Invalid extruder`.
    mutating func setHotendPID(_ command: GCodeCommand) {
        guard command.seen("P") || command.seen("I") || command.seen("D") else {
            printPID(hotend: true, forReplay: true)
            return
        }
        if let extruder = command.value("E"), VirtualMarlin.clampedInt64(extruder) > 0 {
            printLine("Error:Invalid extruder")
            return
        }
        if let value = command.value("P") { settings.hotendPID.p = value }
        if let value = command.value("I") { settings.hotendPID.i = value }
        if let value = command.value("D") { settings.hotendPID.d = value }
    }

    /// M304 [P] [I] [D].
    mutating func setBedPID(_ command: GCodeCommand) {
        guard command.seen("P") || command.seen("I") || command.seen("D") else {
            printPID(hotend: false, forReplay: true)
            return
        }
        if let value = command.value("P") { settings.bedPID.p = value }
        if let value = command.value("I") { settings.bedPID.i = value }
        if let value = command.value("D") { settings.bedPID.d = value }
    }

    /// M851 [X] [Y] [Z]: X and Y within ± the bed size, Z within Z_PROBE_OFFSET_RANGE
    /// (-20…20); any value out of range refuses them all, with no success message.
    mutating func setProbeOffset(_ command: GCodeCommand) {
        guard command.seen("X") || command.seen("Y") || command.seen("Z") else {
            printProbeOffset(forReplay: true)
            return
        }
        var offset = settings.probeOffset
        var valid = true
        let width = Int(configuration.bedWidthMillimetres)
        let depth = Int(configuration.bedDepthMillimetres)
        if let x = command.value("X") {
            if abs(x) <= Double(width) { offset.x = x } else {
                printLine(string: "?X out of range (-\(width) to \(width))")
                valid = false
            }
        }
        if let y = command.value("Y") {
            if abs(y) <= Double(depth) { offset.y = y } else {
                printLine(string: "?Y out of range (-\(depth) to \(depth))")
                valid = false
            }
        }
        if let z = command.value("Z") {
            if abs(z) <= 20 { offset.z = z } else {
                printLine("?Z out of range (-20 to 20)")
                valid = false
            }
        }
        if valid { settings.probeOffset = offset }
    }

    /// M290 Z|S<mm> [P0]: moves the Z stepper at once, clamped to ±2 mm, without changing
    /// the logical position (only M114's Count shows it); with a probe
    /// (BABYSTEP_ZPROBE_OFFSET) it also moves M851 Z unless P0 and says so. Without an
    /// axis (or with R) it reports.
    mutating func babystep(_ command: GCodeCommand) {
        if let value = command.value("Z") ?? command.value("S") {
            let step = min(2, max(-2, value))
            coordinates.babystepZ += step
            babystepTotalMillimetres += step
            nozzle.z += step
            plannedNozzle.z += step
            planner.shiftZ(by: step)
            counters.lowestZMillimetres = min(counters.lowestZMillimetres, nozzle.z)
            if configuration.recordsMotionLog {
                motionLog.append("babystep z=" + VirtualMarlin.millimetres(physicalNozzle.z))
            }
            if configuration.leveling.hasProbe && (command.value("P").map { $0 != 0 } ?? true) {
                settings.probeOffset.z += step
                beginLine()
                append("echo:Probe Offset Z")
                appendFloat(settings.probeOffset.z, decimals: 2)
                endLine()
            }
        }
        guard !(command.seen("X") || command.seen("Y") || command.seen("Z")) || command.seen("R") else { return }
        beginLine()
        append("echo:")
        if configuration.leveling.hasProbe {
            append("Probe Offset Z")
            appendFloat(settings.probeOffset.z, decimals: 2)
        } else {
            append("MBL Adjust Z")
            appendFloat(settings.meshZOffsetMillimetres, decimals: 2)
        }
        endLine()
        beginLine()
        append("Babystep Z")
        appendFloat(babystepTotalMillimetres, decimals: 2)
        endLine()
    }

    // MARK: - EEPROM

    /// M500.
    mutating func storeSettings() {
        guard configuration.hasEEPROM else {
            printLine("Error:EEPROM disabled")
            return
        }
        eeprom = settings
        let image = EEPROMImage.encode(settings)
        eepromWrite = image
        if settings.mesh != nil { meshStorageSlot = 0 }
        beginLine()
        append("echo:Settings Stored (")
        append(VirtualMarlin.eepromDataBytes)
        append(" bytes; crc ")
        append(Int(VirtualMarlin.crc16(image)))
        append(")")
        endLine()
    }

    /// M501: load, then (EEPROM_CHITCHAT) the full report.
    mutating func loadSettings() {
        applyStoredSettings(announce: true)
        printSettingsReport(forReplay: false)
    }

    /// M502.
    mutating func restoreDefaultSettings() {
        applySettings(.defaults)
        printLine("echo:Hardcoded Default Settings Loaded")
    }

    /// What the EEPROM holds (or the defaults, without one or when blank) becomes the
    /// settings: at boot and for M501. With `announce`, the line `_load()` or `reset()` prints.
    mutating func applyStoredSettings(announce: Bool) {
        if configuration.hasEEPROM, let stored = eeprom {
            applySettings(stored)
            if stored.mesh != nil { meshStorageSlot = 0 }
        } else {
            applySettings(.defaults)
        }
        if announce { announceStoredSettings() }
    }

    /// `V86 stored settings retrieved (629 bytes; crc …)`, or the defaults' line for a
    /// blank EEPROM or none.
    mutating func announceStoredSettings() {
        guard configuration.hasEEPROM, let stored = eeprom else {
            return printLine("echo:Hardcoded Default Settings Loaded")
        }
        beginLine()
        append("echo:V86 stored settings retrieved (")
        append(VirtualMarlin.eepromDataBytes)
        append(" bytes; crc ")
        append(Int(VirtualMarlin.crc16(EEPROMImage.encode(stored))))
        append(")")
        endLine()
    }

    /// New settings in RAM; a change of leveling state moves the logical Z, as
    /// `set_bed_leveling_enabled()` does, while the nozzle stays.
    private mutating func applySettings(_ new: CalibrationSettings) {
        let before = levelingCorrection(atLogical: position)
        settings = new
        position.z += before - levelingCorrection(atLogical: position)
    }

    /// The EEPROM image M500 wrote since the last call, for the owner to persist.
    public mutating func takeEEPROMWrite() -> String? {
        defer { eepromWrite = nil }
        return eepromWrite
    }

    /// Marlin's `crc16()` (polynomial 0xA001, reflected, from 0) over the image's bytes.
    static func crc16(_ text: String) -> UInt16 {
        var crc: UInt16 = 0
        for byte in text.utf8 {
            crc ^= UInt16(byte)
            for _ in 0..<8 {
                crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1
            }
        }
        return crc
    }
}
