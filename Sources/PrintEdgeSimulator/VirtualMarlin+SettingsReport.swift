/// M503: `MarlinSettings::report()` (module/settings.cpp, Marlin 2.1) for this printer's
/// configuration, sections in Marlin's order.
///
/// `M503` (S1) heads each section with `echo:; <heading>:` and prefixes every line with
/// `echo:`; `M503 S0` prints the same G-code lines bare, ready to replay (no headings, and
/// UBL's state lines left out). A bilinear mesh is listed as `G29 W I J Z` lines, an MBL
/// one as `G29 S3 I J Z` plus `G29 S4 Z`, each Z with 5 decimals. Sections for features
/// this printer lacks are left out as Marlin leaves them out.
extension VirtualMarlin {
    mutating func printSettingsReport(forReplay: Bool) {
        printReportLine("  G21 ; (mm)", heading: "Linear Units", forReplay: forReplay)
        printReportLine("  M149 C ; Units in Celsius", heading: "Temperature Units", forReplay: forReplay)
        printReportLine("  M200 S0 D1.75", heading: "Filament settings (Disabled)", forReplay: forReplay)
        printStepsPerUnit(forReplay: forReplay)
        printReportLine("  M203 X300.00 Y300.00 Z5.00 E25.00", heading: "Max feedrates (units/s)", forReplay: forReplay)
        printReportLine("  M201 X3000.00 Y3000.00 Z100.00 E10000.00", heading: "Max Acceleration (units/s2)", forReplay: forReplay)
        printReportLine(
            "  M204 P3000.00 R3000.00 T3000.00",
            heading: "Acceleration (units/s2) (P<print-accel> R<retract-accel> T<travel-accel>)", forReplay: forReplay)
        printReportLine(
            "  M205 B20000.00 S0.00 T0.00 J0.01",
            heading: "Advanced (B<min_segment_time_us> S<min_feedrate> T<min_travel_feedrate> J<junc_dev>)", forReplay: forReplay)
        printReportLine("  M206 X0.00 Y0.00 Z0.00", heading: "Home offset", forReplay: forReplay)
        printLevelingSettings(forReplay: forReplay)
        printHeading("Material heatup parameters", forReplay: forReplay)
        printReportLine("  M145 S0 H180.00 B70.00 F0", heading: nil, forReplay: forReplay)
        printReportLine("  M145 S1 H240.00 B110.00 F0", heading: nil, forReplay: forReplay)
        printPID(hotend: true, forReplay: forReplay)
        printPID(hotend: false, forReplay: forReplay)
        if configuration.leveling.hasProbe { printProbeOffset(forReplay: forReplay) }
    }

    /// `  M92 X80.00 Y80.00 Z400.00 E93.00`.
    mutating func printStepsPerUnit(forReplay: Bool) {
        printHeading("Steps per unit", forReplay: forReplay)
        beginLine()
        if !forReplay { append("echo:") }
        append("  M92 X")
        appendFloat(settings.stepsPerMM.x, decimals: 2)
        append(" Y")
        appendFloat(settings.stepsPerMM.y, decimals: 2)
        append(" Z")
        appendFloat(settings.stepsPerMM.z, decimals: 2)
        append(" E")
        appendFloat(settings.stepsPerMM.e, decimals: 2)
        endLine()
    }

    /// `  M301 P22.20 I1.08 D114.00` or `  M304 P10.00 I0.02 D305.40`.
    mutating func printPID(hotend: Bool, forReplay: Bool) {
        printHeading(hotend ? "Hotend PID" : "Bed PID", forReplay: forReplay)
        let pid = hotend ? settings.hotendPID : settings.bedPID
        beginLine()
        if !forReplay { append("echo:") }
        append(hotend ? "  M301 P" : "  M304 P")
        appendFloat(pid.p, decimals: 2)
        append(" I")
        appendFloat(pid.i, decimals: 2)
        append(" D")
        appendFloat(pid.d, decimals: 2)
        endLine()
    }

    /// `  M851 X10.00 Y10.00 Z0.00 ; (mm)`.
    mutating func printProbeOffset(forReplay: Bool) {
        printHeading("Z-Probe Offset", forReplay: forReplay)
        beginLine()
        if !forReplay { append("echo:") }
        append("  M851 X")
        appendFloat(settings.probeOffset.x, decimals: 2)
        append(" Y")
        appendFloat(settings.probeOffset.y, decimals: 2)
        append(" Z")
        appendFloat(settings.probeOffset.z, decimals: 2)
        append(" ; (mm)")
        endLine()
    }

    /// `M420_report()` and the mesh lines after it.
    private mutating func printLevelingSettings(forReplay: Bool) {
        let heading: StaticString
        switch configuration.leveling {
        case .bilinear: heading = "Auto Bed Leveling"
        case .ubl: heading = "Unified Bed Leveling"
        case .mbl: heading = "Mesh Bed Leveling"
        }
        printHeading(heading, forReplay: forReplay)
        beginLine()
        if !forReplay { append("echo:") }
        append("  M420 S")
        append(settings.levelingActive ? 1 : 0)
        append(" Z")
        appendFloat(settings.fadeHeightMillimetres, decimals: 2)
        append(settings.levelingActive ? " ; Leveling ON" : " ; Leveling OFF")
        endLine()
        switch configuration.leveling {
        case .bilinear:
            guard let mesh = settings.mesh else { return }
            printMeshLines(mesh, command: "  G29 W I", forReplay: forReplay)
        case .mbl:
            guard let mesh = settings.mesh, mesh.isComplete else { return }
            printMeshLines(mesh, command: "  G29 S3 I", forReplay: forReplay)
            beginLine()
            if !forReplay { append("echo:") }
            append("  G29 S4 Z")
            appendFloat(settings.meshZOffsetMillimetres, decimals: 5)
            endLine()
        case .ubl:
            guard !forReplay else { return }
            printLine("")
            printUBLState()
            printLine(string: "echo:Active Mesh Slot \(meshStorageSlot)")
            // `calc_num_meshes()`: what is left of a 4 KiB EEPROM, one float per point.
            let meshBytes = configuration.probeGridPoints * configuration.probeGridPoints * 4
            printLine(string: "echo:EEPROM can hold \((4096 - VirtualMarlin.eepromDataBytes) / meshBytes) meshes.")
            printLine("")
        }
    }

    private mutating func printMeshLines(_ mesh: BedMesh, command: StaticString, forReplay: Bool) {
        for y in 0..<mesh.pointsY {
            for x in 0..<mesh.pointsX {
                beginLine()
                if !forReplay { append("echo:") }
                append(command)
                append(x)
                append(" J")
                append(y)
                append(" Z")
                appendFloat(mesh[x, y] ?? .nan, decimals: 5)
                endLine()
            }
        }
    }

    /// `report_heading()`: `echo:; <heading>:`, only when not for replay.
    private mutating func printHeading(_ heading: StaticString, forReplay: Bool) {
        guard !forReplay else { return }
        beginLine()
        append("echo:; ")
        append(heading)
        append(":")
        endLine()
    }

    private mutating func printReportLine(_ line: StaticString, heading: StaticString?, forReplay: Bool) {
        if let heading { printHeading(heading, forReplay: forReplay) }
        beginLine()
        if !forReplay { append("echo:") }
        append(line)
        endLine()
    }
}
