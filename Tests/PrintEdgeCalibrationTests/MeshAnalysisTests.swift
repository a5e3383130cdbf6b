import Testing
@testable import PrintEdgeCalibration

@Suite struct MeshAnalysisTests {
    /// A bed rising 0.1 mm per 100 mm to the right and 0.2 mm per 100 mm to the back.
    private func tiltedMesh() -> BedMesh {
        let xs = [0.0, 100, 200], ys = [0.0, 100, 200]
        let rows = ys.map { y in xs.map { x -> Double? in 0.001 * x + 0.002 * y - 0.3 } }
        return BedMesh(source: .bilinear, rows: rows, columnXMM: xs, rowYMM: ys, decimals: 3)
    }

    @Test func findsTheLowestAndHighestPointsOfTheCapturedGrid() throws {
        var parser = BedMeshParser(expecting: .init(bounds: MeshBounds(minimumXMM: 10, maximumXMM: 210, minimumYMM: 10, maximumYMM: 210)))
        for line in FirmwareSamples.lines(FirmwareSamples.bilinearGrid) { parser.consume(line) }
        let mesh = try parser.result()
        let analysis = try #require(BedMeshAnalysis(mesh))
        #expect(analysis.highest == MeshPoint(column: 0, row: 0, xMM: 10, yMM: 10, zMM: 0.311))
        #expect(analysis.lowest == MeshPoint(column: 2, row: 3, xMM: 110, yMM: 160, zMM: -0.288))
        #expect(abs(analysis.rangeMM - 0.599) < 1e-9)
        #expect(analysis.probedCount == 25)
        #expect(analysis.missingCount == 0)
        let summary = analysis.summary(columnCount: 5, rowCount: 5)
        #expect(summary[0] == "range 0.599 mm (from -0.288 to +0.311 mm), mean +0.056 mm")
        #expect(summary[1] == "lowest -0.288 mm at the back centre (X 110.0 Y 160.0)")
        #expect(summary[2] == "highest +0.311 mm at the front left (X 10.0 Y 10.0)")
    }

    @Test func fitsThePlaneAndStatesTheTiltPer100MM() throws {
        let analysis = try #require(BedMeshAnalysis(tiltedMesh()))
        let plane = try #require(analysis.plane)
        #expect(abs(plane.riseRightMMPer100MM - 0.1) < 1e-9)
        #expect(abs(plane.riseBackMMPer100MM - 0.2) < 1e-9)
        #expect(plane.flatnessMM < 1e-9)
        #expect(plane.words == "higher on the right by 0.10 mm per 100 mm and higher at the back by 0.20 mm per 100 mm")
    }

    @Test func aMeshWithoutCoordinatesHasNoTiltAndMissingPointsAreCounted() throws {
        let mesh = BedMesh(source: .bilinear, rows: [[0.1, nil], [nil, -0.1]], decimals: 3)
        let analysis = try #require(BedMeshAnalysis(mesh))
        #expect(analysis.plane == nil)
        #expect(analysis.missingCount == 2)
        #expect(analysis.summary(columnCount: 2, rowCount: 2).last == "2 of 4 points were not probed (shown as --)")
        #expect(BedMeshAnalysis(BedMesh(source: .bilinear, rows: [[nil]], decimals: 3)) == nil)
    }

    @Test func comparesTwoMeshesPointByPoint() throws {
        let before = tiltedMesh()
        var after = before
        after.rows[2][2] = (after.rows[2][2] ?? 0) + 0.05
        after.rows[0][1] = nil
        let comparison = try BedMeshComparison(before: before, after: after)
        #expect(comparison.differencesMM[0][1] == nil)
        #expect(abs((comparison.differencesMM[2][2] ?? 0) - 0.05) < 1e-12)
        #expect(comparison.largestChange?.column == 2)
        #expect(comparison.largestChange?.row == 2)
        #expect(comparison.largestChange?.xMM == 200)
        #expect(abs((comparison.rangeAfterMM ?? 0) - (comparison.rangeBeforeMM ?? 0) - 0.05) < 1e-9)
        // The change drawn as a mesh of its own, on the same coordinates.
        let change = comparison.differenceMesh(placedLike: after)
        #expect(change.columnXMM == after.columnXMM)
        #expect(BedMeshAnalysis(change)?.highest.column == 2)
    }

    @Test func meshesOfDifferentGridsAreNotCompared() {
        let small = BedMesh(source: .bilinear, rows: [[0.1, 0.2]], decimals: 3)
        #expect(throws: CalibrationRequestError.self) { try BedMeshComparison(before: small, after: tiltedMesh()) }
    }
}
