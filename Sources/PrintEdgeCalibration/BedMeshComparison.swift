/// What changed between two meshes of the same grid (`--compare`): after − before at every
/// point both probed, and how the range and tilt moved.
public struct BedMeshComparison: Codable, Sendable, Equatable {
    /// after − before, mm; nil where either mesh lacks the point. Row 0 is the front.
    public var differencesMM: [[Double?]]
    /// The point that moved most.
    public var largestChange: MeshPoint?
    public var meanChangeMM: Double?
    public var rangeBeforeMM: Double?
    public var rangeAfterMM: Double?
    public var planeBefore: MeshPlane?
    public var planeAfter: MeshPlane?

    public init(before: BedMesh, after: BedMesh) throws(CalibrationRequestError) {
        guard before.columnCount == after.columnCount, before.rowCount == after.rowCount else {
            throw .invalid(parameter: "compare", reason: "the meshes have different grids (\(before.columnCount)×\(before.rowCount) before, \(after.columnCount)×\(after.rowCount) now): compare with a mesh probed with the same probe count")
        }
        var differences: [[Double?]] = []
        var changes: [MeshPoint] = []
        for row in 0..<after.rowCount {
            var line: [Double?] = []
            for column in 0..<after.columnCount {
                guard let old = before.z(column: column, row: row), let new = after.z(column: column, row: row) else {
                    line.append(nil)
                    continue
                }
                line.append(new - old)
                changes.append(MeshPoint(column: column, row: row, xMM: after.columnXMM?[column], yMM: after.rowYMM?[row], zMM: new - old))
            }
            differences.append(line)
        }
        differencesMM = differences
        largestChange = changes.max { abs($0.zMM) < abs($1.zMM) }
        meanChangeMM = changes.isEmpty ? nil : changes.map(\.zMM).reduce(0, +) / Double(changes.count)
        let analysisBefore = BedMeshAnalysis(before)
        let analysisAfter = BedMeshAnalysis(after)
        rangeBeforeMM = analysisBefore?.rangeMM
        rangeAfterMM = analysisAfter?.rangeMM
        planeBefore = analysisBefore?.plane
        planeAfter = analysisAfter?.plane
    }

    /// The difference as a mesh, for the heatmap.
    public func differenceMesh(placedLike mesh: BedMesh) -> BedMesh {
        BedMesh(source: mesh.source, rows: differencesMM, columnXMM: mesh.columnXMM, rowYMM: mesh.rowYMM, decimals: mesh.decimals)
    }

    enum CodingKeys: String, CodingKey {
        case differencesMM = "differences_mm"
        case largestChange = "largest_change"
        case meanChangeMM = "mean_change_mm"
        case rangeBeforeMM = "range_before_mm"
        case rangeAfterMM = "range_after_mm"
        case planeBefore = "plane_before"
        case planeAfter = "plane_after"
    }
}
