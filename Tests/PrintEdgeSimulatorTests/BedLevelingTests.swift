import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// G29, M420 and their reports in the three leveling systems, against Marlin's formats.
@Suite struct BedLevelingTests {
    /// MarlinFirmware/Marlin PR #23868, as the research file quotes it.
    static let capturedBilinear: [[Double?]] = [
        [0.311, 0.260, 0.240, -0.070, 0.186],
        [-0.150, 0.142, 0.139, 0.086, -0.136],
        [0.080, -0.103, 0.092, 0.059, -0.075],
        [0.136, 0.094, -0.288, 0.067, 0.010],
        [0.207, -0.250, 0.171, 0.131, 0.051],
    ]

    @Test func bilinearGridPrintsAsMarlinDoesFrontRowFirst() {
        var rig = PrinterRig.calibration {
            $0.storedSettings?.mesh = mesh(rows: Self.capturedBilinear)
        }
        #expect(rig.command("M420 V") == [
            "Bilinear Leveling Grid:",
            "      0      1      2      3      4",
            " 0 +0.311 +0.260 +0.240 -0.070 +0.186",
            " 1 -0.150 +0.142 +0.139 +0.086 -0.136",
            " 2 +0.080 -0.103 +0.092 +0.059 -0.075",
            " 3 +0.136 +0.094 -0.288 +0.067 +0.010",
            " 4 +0.207 -0.250 +0.171 +0.131 +0.051",
            "",
            "echo:Bed Leveling OFF",
            "echo:Fade Height 10.00",
            "ok",
        ])
    }

    @Test func unprobedPointsShowAsEqualsSigns() {
        var rig = PrinterRig.calibration {
            $0.storedSettings?.mesh = mesh(rows: [[0.1, nil, -0.0001], [0, 0.2, 0.3], [1, 2, 3]])
        }
        #expect(Array(rig.command("M420 V").prefix(5)) == [
            "Bilinear Leveling Grid:", "      0      1      2", " 0 +0.100  ===== -0.000", " 1 +0.000 +0.200 +0.300",
            " 2 +1.000 +2.000 +3.000",
        ])
    }

    @Test func g29NeedsHomedAxes() {
        var rig = PrinterRig.calibration()
        #expect(rig.command("G29") == ["echo:Home XYZ First", "ok"])
        _ = rig.command("G28 X Y")
        #expect(rig.command("G29") == ["echo:Home Z First", "ok"])
    }

    @Test func bilinearG29ProbesTheShapeTurnsLevelingOnAndReportsThePosition() {
        // The bed rises 0.3 mm per 100 mm towards the back: the last row is highest.
        var rig = PrinterRig.calibration {
            $0.bedSurface = BedSurface(tiltXPer100MM: 0, tiltYPer100MM: 0.3, bowMillimetres: 0, noiseMillimetres: 0)
            $0.probeGridPoints = 3
        }
        _ = rig.command("G28")
        let lines = rig.command("G29")
        #expect(Array(lines.prefix(6)) == [
            "Bilinear Leveling Grid:", "      0      1      2", " 0 +0.000 +0.000 +0.000", " 1 +0.300 +0.300 +0.300",
            " 2 +0.600 +0.600 +0.600", "",
        ])
        #expect(lines.count == 8 && lines[6].hasPrefix("X:200.00 Y:200.00 Z:") && lines.last == "ok", "\(lines)")
        #expect(rig.command("M420") == ["echo:Bed Leveling ON", "echo:Fade Height 10.00", "ok"])
        // Every point takes the probe's time, with keepalives meanwhile.
        #expect(rig.printer.statistics.elapsedSeconds >= 9 * 2.5)
        // G28 turns leveling off, as stock Marlin does.
        _ = rig.command("G28")
        #expect(rig.command("M420").first == "echo:Bed Leveling OFF")
    }

    @Test func levelingLiftsTheNozzleOverAHighCorner() throws {
        var rig = PrinterRig.calibration {
            $0.bedSurface = BedSurface(tiltXPer100MM: 0, tiltYPer100MM: 0.3, bowMillimetres: 0, noiseMillimetres: 0)
            $0.probeGridPoints = 3
        }
        _ = rig.command("G28")
        _ = rig.command("G29")
        _ = rig.printer.takeMotionLog()
        _ = rig.command("G1 X100 Y200 Z0.2 F3000")
        let move = try #require(rig.printer.takeMotionLog().last)
        // Z homed where the probe was, at Y 10: 0.3 below the bed's centre. At Y 200 the mesh
        // (0.3 per 100 mm from Y 10) adds 0.57, faded by 1 - 0.2 / 10: 0.2 + 0.5586 - 0.3.
        #expect(move.hasPrefix("move N- z0=") && move.contains(" z1=0.459 x=100.000 y=200.000"), "\(move)")
        #expect(rig.printer.statistics.nozzleBelowBed == 0)
    }

    @Test func m420RefusesAMissingMesh() {
        var rig = PrinterRig.calibration()
        #expect(rig.command("M420 S1") == [
            "echo:Invalid mesh.", "Error:Failed to enable Bed Leveling", "echo:Bed Leveling OFF", "echo:Fade Height 10.00", "ok",
        ])
        #expect(rig.command("M420 Z0") == ["echo:Bed Leveling OFF", "echo:Fade Height OFF", "ok"])
    }

    @Test func g29WSetsAPointAsM503S0Replays() {
        var rig = PrinterRig.calibration {
            $0.storedSettings?.mesh = mesh(rows: [[0, 0, 0], [0, 0, 0], [0, 0, 0]])
        }
        _ = rig.command("G29 W I2 J1 Z-0.125")
        #expect(rig.command("M503 S0").contains("  G29 W I2 J1 Z-0.12500"))
    }

    // MARK: - UBL

    /// BLV issue #327 (`G29 T` on a 10x10 UBL mesh, bugfix's 3 decimals), rows 9, 4 and 0.
    @Test func ublMapPrintsBackRowFirstWithTheProbePointBracketed() {
        var rows = [[Double?]](repeating: [Double?](repeating: 0.01, count: 10), count: 10)
        rows[9] = [0.070, 0.055, 0.032, 0.032, 0.022, 0.035, 0.072, 0.070, 0.070, nil]
        rows[4] = [-0.033, -0.010, -0.008, -0.023, -0.043, 0.002, 0.032, 0.065, 0.097, nil]
        rows[0] = [-0.053, -0.045, -0.065, -0.053, -0.048, -0.025, 0.012, 0.022, 0.032, nil]
        var rig = PrinterRig.calibration {
            $0.leveling = .ubl
            $0.marlinVersion = .bugfix
            $0.probeGridPoints = 10
            $0.storedSettings?.mesh = mesh(rows: rows, minX: 20, maxX: 215, minY: 20, maxY: 215)
        }
        // The probe (10, 10 from the nozzle) over point (4, 4): X and Y 20 + 4 * 195 / 9.
        _ = rig.command("G28")
        _ = rig.command("G1 X96.67 Y96.67 F6000")
        let lines = rig.command("G29 T").map { String($0.reversed().drop { $0 == " " }.reversed()) }
        #expect(Array(lines.prefix(5)) == [
            "", "Bed Topography Report:", "",
            "    ( 20,215)" + String(repeating: " ", count: 62) + "(215,215)",
            "        0       1       2       3       4       5       6       7       8       9",
        ])
        #expect(lines[5] == " 9 | +0.070  +0.055  +0.032  +0.032  +0.022  +0.035  +0.072  +0.070  +0.070    .")
        #expect(lines[6] == "   |")
        #expect(lines[15] == " 4 | -0.033  -0.010  -0.008  -0.023 [-0.043] +0.002  +0.032  +0.065  +0.097    .")
        #expect(lines[23] == " 0 | -0.053  -0.045  -0.065  -0.053  -0.048  -0.025  +0.012  +0.022  +0.032    .")
        #expect(Array(lines.suffix(4)) == [
            "        0       1       2       3       4       5       6       7       8       9",
            "    ( 20, 20)" + String(repeating: " ", count: 62) + "(215, 20)", "", "ok",
        ])
    }

    @Test func ublMapHasTwoDecimalsIn21AndACsvForm() {
        var rig = PrinterRig.calibration {
            $0.leveling = .ubl
            $0.probeGridPoints = 3
            $0.storedSettings?.mesh = mesh(rows: [[0.0125, 0, -0.2], [0, 0, 0], [0.5, nil, 0]])
        }
        let human = rig.command("G29 T")
        #expect(human[5] == " 2 | +0.50    .      0.00 ")
        #expect(human[9] == " 0 |[+0.01]  0.00  -0.20 ")
        #expect(rig.command("G29 T1") == [
            "", "Bed Topography Report for CSV:", "", "0.50\tNAN\t0.00", "0.00\t0.00\t0.00", "0.01\t0.00\t-0.20", "ok",
        ])
    }

    @Test func ublProbesWhatTheProbeReachesAndAPartialMeshIsInvalid() {
        var rig = PrinterRig.calibration {
            $0.leveling = .ubl
            $0.probeGridPoints = 3
        }
        _ = rig.command("G28")
        _ = rig.command("M851 X-150")  // the probe cannot reach X 110 or 210
        let probing = rig.command("G29 P1")
        #expect(Array(probing.prefix(5)) == [
            "Default storage slot 0 selected.", "Mesh invalidated. Probing mesh.", "", "Probing mesh point 1/9.", "",
        ])
        #expect(probing.filter { $0.hasPrefix("Probing mesh point") }.last == "Probing mesh point 4/9.")
        #expect(rig.command("M420 S1").prefix(2) == ["echo:Invalid mesh.", "Error:Failed to enable Bed Leveling"])
        let validity = rig.command("M420 V")
        #expect(validity.contains("Mesh is invalid") && validity.contains("Storage slot: 0"))
        _ = rig.command("G29 P3")
        #expect(rig.command("G29 A") == ["Unified Bed Leveling System v1.01 active.", "ok"])
    }

    @Test func ublProbingMessagesLoseTheirBlankLinesInBugfix() {
        var rig = PrinterRig.calibration {
            $0.leveling = .ubl
            $0.probeGridPoints = 3
            $0.marlinVersion = .bugfix
        }
        _ = rig.command("G28")
        #expect(Array(rig.command("G29 P1").prefix(4)) == [
            "Default storage slot 0 selected.", "Mesh invalidated. Probing mesh.", "Probing mesh point 1/9.",
            "Probing mesh point 2/9.",
        ])
    }

    // MARK: - MBL

    @Test func mblReportsNoDataThenAManualWalkInZigzag() {
        var rig = PrinterRig.calibration {
            $0.leveling = .mbl
            $0.probeGridPoints = 3
        }
        #expect(rig.command("G29") == ["Mesh Bed Leveling has no data.", "ok"])
        #expect(rig.command("G29 S2") == ["Start mesh probing with \"G29 S1\" first.", "ok"])
        _ = rig.command("G28")
        #expect(rig.command("G29 S1") == ["MBL G29 point 1 of 9", "ok"])
        // The paper test at each point: the nozzle's Z is what S2 stores.
        for point in 2...10 {
            _ = rig.command("G1 Z\(Double(point) / 100) F600")
            let reply = rig.command("G29 S2")
            #expect(reply.first == (point <= 9 ? "MBL G29 point \(point) of 9" : "Mesh probing done."))
        }
        #expect(rig.command("G29 S0") == [
            "Mesh Bed Leveling ON", "3x3 mesh. Z offset: 0.00000", "Measured points:", "        0        1        2",
            " 0 +0.02000 +0.03000 +0.04000", " 1 +0.07000 +0.06000 +0.05000", " 2 +0.08000 +0.09000 +0.10000", "", "ok",
        ])
        let replay = rig.command("M503 S0")
        #expect(replay.contains("  G29 S3 I0 J1 Z0.07000") && replay.contains("  G29 S4 Z0.00000"))
    }

    @Test func mblHasNoProbeCommands() {
        var rig = PrinterRig.calibration { $0.leveling = .mbl }
        #expect(rig.command("G30") == ["echo:Unknown command: \"G30\"", "ok"])
        #expect(rig.command("M851") == ["echo:Unknown command: \"M851\"", "ok"])
        #expect(rig.command("G29 S3 I9 J0 Z0.1") == ["I out of range (0-4)", "ok"])
        #expect(rig.command("G29 S7") == ["S out of range (0-5).", "ok"])
    }
}
