import Foundation
import Testing
@testable import PrintEdgeCalibration

@Suite struct BedMeshParserTests {
    private func parse(_ text: String, expecting expectation: BedMeshParser.Expectation = .init()) throws -> BedMesh {
        var parser = BedMeshParser(expecting: expectation)
        for line in FirmwareSamples.lines(text) { parser.consume(line) }
        return try parser.result()
    }

    private func parseError(_ text: String, expecting expectation: BedMeshParser.Expectation = .init()) -> CalibrationParseError? {
        var parser = BedMeshParser(expecting: expectation)
        for line in FirmwareSamples.lines(text) { parser.consume(line) }
        do {
            _ = try parser.result()
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheCapturedBilinearGridFrontRowFirstAndIgnoresTheSubdividedOne() throws {
        let mesh = try parse(FirmwareSamples.bilinearGrid)
        #expect(mesh.source == .bilinear)
        #expect(mesh.columnCount == 5)
        #expect(mesh.rowCount == 5)
        #expect(mesh.decimals == 3)
        // Marlin prints row 0 first, and row 0 is the front (the smallest Y).
        #expect(mesh.rows[0] == [0.311, 0.260, 0.240, -0.070, 0.186])
        #expect(mesh.rows[4] == [0.207, -0.250, 0.171, 0.131, 0.051])
        #expect(mesh.columnXMM == nil)
    }

    @Test func placesABilinearGridOnTheProbedBounds() throws {
        let bounds = MeshBounds(minimumXMM: 10, maximumXMM: 210, minimumYMM: 20, maximumYMM: 220)
        let mesh = try parse(FirmwareSamples.bilinearGrid, expecting: .init(columns: 5, rows: 5, bounds: bounds))
        #expect(mesh.columnXMM == [10, 60, 110, 160, 210])
        #expect(mesh.rowYMM == [20, 70, 120, 170, 220])
    }

    @Test func unprobedBilinearPointsAreMissingNotZero() throws {
        let mesh = try parse("""
            Bilinear Leveling Grid:
                  0      1      2
             0 +0.011 ===== -0.026
             1 +0.017 +0.002 -0.019
             2 ===== -0.030 -0.013
            X:110.00 Y:110.00 Z:10.00 E:0.00 Count X:8800 Y:8800 Z:4000
            ok
            """)
        #expect(mesh.rows[0] == [0.011, nil, -0.026])
        #expect(mesh.rows[2] == [nil, -0.030, -0.013])
    }

    @Test func readsAnOldTwoDecimalGrid() throws {
        // Marlin RC8 era, MarlinFirmware/Marlin#5936 (research §1.3).
        let mesh = try parse("""
            Bilinear Leveling Grid:
                 0     1     2
             0 +0.01 -0.13 -0.25
             1 +0.02 -0.10 -0.20
             2 +0.05 -0.08 -0.15
            """)
        #expect(mesh.decimals == 2)
        #expect(mesh.rows[0] == [0.01, -0.13, -0.25])
    }

    @Test func temperatureReportsAndKeepalivesBetweenRowsAreSkipped() throws {
        let mesh = try parse("""
            Bilinear Leveling Grid:
                  0      1      2
             0 +0.011 -0.020 -0.026
             T:25.00 /0.00 B:60.00 /60.00 @:0 B@:40
            echo:busy: processing
             1 +0.017 +0.002 -0.019
            ok T:25.00 /0.00 B:60.00 /60.00 @:0 B@:40
             2 +0.022 -0.030 -0.013
            """)
        #expect(mesh.rowCount == 3)
        #expect(mesh.rows[2] == [0.022, -0.030, -0.013])
    }

    @Test func aRowWithFewerValuesIsRefused() {
        let error = parseError("""
            Bilinear Leveling Grid:
                  0      1      2
             0 +0.011 -0.020 -0.026
             1 +0.017 +0.002
            """)
        #expect(error == .unreadable(what: "the bilinear leveling grid", line: "1 +0.017 +0.002", detail: "row 1 has 2 values, the grid has 3 columns"))
    }

    @Test func aValueCutShortIsRefusedByItsPrecision() {
        let error = parseError("""
            Bilinear Leveling Grid:
                  0      1      2
             0 +0.011 -0.020 -0.0
            """)
        #expect(error == .unreadable(what: "the bilinear leveling grid", line: "0 +0.011 -0.020 -0.0", detail: "\"-0.0\" has 1 decimals where the table has 3"))
    }

    @Test func aLostRowIsRefused() {
        let error = parseError("""
            Bilinear Leveling Grid:
                  0      1      2
             0 +0.011 -0.020 -0.026
             2 +0.022 -0.030 -0.013
            """)
        #expect(error == .cutShort(what: "the bilinear leveling grid", detail: "row 2 came where row 1 belongs: a row was lost"))
    }

    @Test func aGarbledCellIsRefused() {
        let error = parseError("""
            Bilinear Leveling Grid:
                  0      1      2
             0 +0.011 -0.0#0 -0.026
            """)
        #expect(error == .unreadable(what: "the bilinear leveling grid", line: "0 +0.011 -0.0#0 -0.026", detail: "\"-0.0#0\" is neither a height nor an unprobed-point mark"))
    }

    @Test func aGridSmallerThanTheProfileSaysIsRefused() {
        let error = parseError(FirmwareSamples.bilinearGrid, expecting: .init(columns: 5, rows: 7))
        #expect(error == .missing(what: "the bilinear leveling grid", detail: "the grid is 5 points deep, not the 7 expected (a cut-short table, or a probe count the profile does not match)"))
    }

    @Test func readsTheCapturedUBLReportBackRowFirstWithItsOwnCoordinates() throws {
        let mesh = try parse(FirmwareSamples.unifiedReport)
        #expect(mesh.source == .unified)
        #expect(mesh.columnCount == 10)
        #expect(mesh.rowCount == 10)
        // Row 0 (front) is the last printed; the bracketed cell is the probe's position.
        #expect(mesh.rows[0] == [-0.053, -0.045, -0.065, -0.053, -0.048, -0.025, 0.012, 0.022, 0.032, nil])
        #expect(mesh.rows[4][4] == -0.043)
        #expect(mesh.rows[9][0] == 0.070)
        // Unprobed points (`.`) are missing.
        #expect(mesh.rows.allSatisfy { $0[9] == nil })
        // The corners give the grid's millimetre positions: 20…215 in both axes.
        #expect(mesh.columnXMM?.first == 20)
        #expect(mesh.columnXMM?.last == 215)
        #expect(mesh.rowYMM?.first == 20)
        #expect(mesh.rowYMM?.last == 215)
    }

    @Test func readsATwoDecimalUBLReportWithANegativeCornerAndZeroPrintedWithoutASign() throws {
        // 2.1.2 releases print 2 decimals (research §1.4); BLV#643 captured a corner of -41 on a
        // Prusa Mini; zero cells carry a space instead of a sign.
        let mesh = try parse("""
            Bed Topography Report:
                (-41,226)                (139,226)
                   0      1      2
             2 | +0.07   0.00  +0.03
               |
             1 | -0.01 [+0.02]    .
               |
             0 | -0.05  -0.04  -0.06
                   0      1      2
                (-41, 46)                (139, 46)
            Mesh is valid
            Storage slot: 0
            """)
        #expect(mesh.decimals == 2)
        #expect(mesh.rows == [[-0.05, -0.04, -0.06], [-0.01, 0.02, nil], [0.07, 0.00, 0.03]])
        #expect(mesh.columnXMM == [-41, 49, 139])
        #expect(mesh.rowYMM == [46, 136, 226])
    }

    @Test func aUBLReportWithoutItsFrontCornersIsCutShort() {
        let error = parseError("""
            Bed Topography Report:
                ( 20,215)                (215,215)
                   0       1
             1 | +0.070  +0.055
               |
             0 | -0.053  -0.045
            ok
            """)
        #expect(error == .cutShort(what: "the UBL topography report", detail: "it ended without the front corners' coordinates"))
    }

    @Test func aUBLReportStoppingBeforeRowZeroIsCutShort() {
        let error = parseError("""
            Bed Topography Report:
                ( 20,215)                (215,215)
                   0       1
             2 | +0.070  +0.055
               |
             1 | -0.053  -0.045
            ok
            """)
        #expect(error == .cutShort(what: "the UBL topography report", detail: "it stopped after row 1, before row 0"))
    }

    @Test func readsTheUBLCSVFormWithTabsAndNAN() throws {
        // Derived: `display_map(1)` separates values with tabs and prints NAN (ubl.cpp, 2.x).
        let mesh = try parse("Bed Topography Report for CSV:\n0.070\t0.055\tNAN\n-0.033\t-0.010\t-0.008\nok")
        #expect(mesh.source == .unified)
        #expect(mesh.rows == [[-0.033, -0.010, -0.008], [0.070, 0.055, nil]])
    }

    @Test func readsTheDerivedManualMeshFrontRowFirst() throws {
        let mesh = try parse(FirmwareSamples.manualMesh)
        #expect(mesh.source == .manual)
        #expect(mesh.decimals == 5)
        #expect(mesh.rows[0] == [0.011, -0.020, -0.026])
        #expect(mesh.rows[2] == [0.022, -0.030, -0.013])
    }

    @Test func aManualMeshWithFewerRowsThanAnnouncedIsCutShort() {
        let error = parseError("""
            3x3 mesh. Z offset: 0.00000
            Measured points:
                    0        1        2
             0 +0.01100 -0.02000 -0.02600
             1 +0.01700 +0.00200 -0.01900
            ok
            """)
        #expect(error == .cutShort(what: "the MBL mesh", detail: "it has 2 rows but announced 3"))
    }

    @Test func readsPrusaG81BackRowFirst() throws {
        // Derived: Prusa-Firmware `gcode_G81` (research §1.13), rows from Y max down.
        let mesh = try parse("""
            Num X,Y: 3,2
            Z search height: 5.00
            Measured points:
              0.12000  0.10500  0.09000
             -0.02000 -0.01500  0.00000
            ok
            """)
        #expect(mesh.source == .prusa)
        #expect(mesh.rows == [[-0.02, -0.015, 0], [0.12, 0.105, 0.09]])
    }

    @Test func saysWhyThereIsNoMesh() {
        #expect(parseError("echo:Invalid mesh.\nError:Failed to enable Bed Leveling\nok")
            == .missing(what: "the mesh", detail: "the firmware has no mesh to show (\"Invalid mesh.\"): probe one first"))
        #expect(parseError("Mesh Bed Leveling has no data.\nok")
            == .missing(what: "the mesh", detail: "the firmware has no mesh to show (\"Mesh Bed Leveling has no data.\"): probe one first"))
        guard case .missing(_, let detail)? = parseError("Bed Level Correction Matrix:\n+1.000000 +0.000000 -0.000140\nok") else {
            Issue.record("a correction matrix is not a mesh")
            return
        }
        #expect(detail.contains("AUTO_BED_LEVELING_3POINT or LINEAR"))
        #expect(parseError("ok") == .missing(what: "the mesh", detail: "the firmware printed no mesh (no `Bilinear Leveling Grid:`, `Bed Topography Report:` or `Measured points:`)"))
    }

    @Test func takesTheGridsCoordinatesFromG29V3ProbeLines() throws {
        let mesh = try parse("""
            Bed X: 20.00 Y: 20.00 Z: 0.01
            Bed X: 120.00 Y: 20.00 Z: -0.02
            Bed X: 120.00 Y: 150.00 Z: 0.02
            Bed X: 20.00 Y: 150.00 Z: -0.03
            Bilinear Leveling Grid:
                  0      1
             0 +0.010 -0.020
             1 -0.030 +0.020
            """, expecting: .init(bounds: MeshBounds(minimumXMM: 0, maximumXMM: 1, minimumYMM: 0, maximumYMM: 1)))
        #expect(mesh.columnXMM == [20, 120])
        #expect(mesh.rowYMM == [20, 150])
    }

    @Test func readsTheMeshFromM503sG29WLines() throws {
        let settings = try FirmwareSettings(replayText: """
            M92 X80.00 Y80.00 Z400.00 E93.00
            M420 S1 Z10.00
            G29 W I0 J0 Z-0.07876
            G29 W I1 J0 Z0.01000
            G29 W I0 J1 Z0.02000
            G29 W I1 J1 Z-0.03000
            """)
        let mesh = try #require(BedMesh(settings: settings))
        #expect(mesh.source == .settings)
        #expect(mesh.decimals == 5)
        #expect(mesh.rows == [[-0.07876, 0.01], [0.02, -0.03]])
        #expect(BedMesh(settings: try FirmwareSettings(replayText: "M92 E93.00")) == nil)
    }

    @Test func encodesMissingPointsAsNullWithSnakeCaseKeys() throws {
        let mesh = BedMesh(source: .bilinear, rows: [[0.1, nil]], columnXMM: [0, 10], rowYMM: [0], decimals: 3)
        let json = String(decoding: try JSONEncoder().encode(mesh), as: UTF8.self)
        #expect(json.contains(#""rows":[[0.1,null]]"#))
        #expect(json.contains(#""column_x_mm":[0,10]"#))
        #expect(try JSONDecoder().decode(BedMesh.self, from: Data(json.utf8)) == mesh)
    }
}
