import PrintEdgeCore

/// What a person needs to know about a mesh: how far apart its highest and lowest points are,
/// where they are, and how the bed is tilted.
public struct BedMeshAnalysis: Codable, Sendable, Equatable {
    public var lowest: MeshPoint
    public var highest: MeshPoint
    public var rangeMM: Double
    public var meanMM: Double
    public var probedCount: Int
    public var missingCount: Int
    /// Nil when the mesh has no millimetre coordinates (tilt per 100 mm needs them) or too few
    /// points.
    public var plane: MeshPlane?

    /// Nil for a mesh without a single probed point.
    public init?(_ mesh: BedMesh) {
        let points = mesh.probedPoints
        guard let lowest = points.min(by: { $0.zMM < $1.zMM }), let highest = points.max(by: { $0.zMM < $1.zMM }) else { return nil }
        self.lowest = lowest
        self.highest = highest
        rangeMM = highest.zMM - lowest.zMM
        meanMM = points.map(\.zMM).reduce(0, +) / Double(points.count)
        probedCount = points.count
        missingCount = mesh.rowCount * mesh.columnCount - points.count
        plane = MeshPlane(points: points.compactMap { point in
            guard let x = point.xMM, let y = point.yMM else { return nil }
            return (x, y, point.zMM)
        })
    }

    /// Lines for a person: range, lowest, highest, tilt.
    public func summary(columnCount: Int, rowCount: Int) -> [String] {
        var lines = [
            "range \(GCodeDecimal.fixed(rangeMM, decimals: 3)) mm (from \(GCodeDecimal.signed(lowest.zMM, decimals: 3)) to \(GCodeDecimal.signed(highest.zMM, decimals: 3)) mm), mean \(GCodeDecimal.signed(meanMM, decimals: 3)) mm",
            "lowest \(GCodeDecimal.signed(lowest.zMM, decimals: 3)) mm \(Self.place(lowest, columnCount: columnCount, rowCount: rowCount))",
            "highest \(GCodeDecimal.signed(highest.zMM, decimals: 3)) mm \(Self.place(highest, columnCount: columnCount, rowCount: rowCount))",
        ]
        if let plane {
            lines.append("tilt: \(plane.words); beyond the tilt the bed varies by \(GCodeDecimal.fixed(plane.flatnessMM, decimals: 3)) mm")
        }
        if missingCount > 0 { lines.append("\(missingCount) of \(missingCount + probedCount) points were not probed (shown as --)") }
        return lines
    }

    /// "at the front left (X 20.0 Y 20.0)" or "at the front left (column 0, row 0)".
    static func place(_ point: MeshPoint, columnCount: Int, rowCount: Int) -> String {
        func third(_ index: Int, _ count: Int, _ names: (String, String, String)) -> String {
            guard count > 1 else { return names.1 }
            let fraction = Double(index) / Double(count - 1)
            return fraction < 1.0 / 3 ? names.0 : (fraction > 2.0 / 3 ? names.2 : names.1)
        }
        let depth = third(point.row, rowCount, ("front", "middle", "back"))
        let side = third(point.column, columnCount, ("left", "centre", "right"))
        let name = depth == "middle" && side == "centre" ? "centre" : (depth == "middle" ? "middle \(side)" : "\(depth) \(side)")
        if let x = point.xMM, let y = point.yMM {
            return "at the \(name) (X \(GCodeDecimal.fixed(x, decimals: 1)) Y \(GCodeDecimal.fixed(y, decimals: 1)))"
        }
        return "at the \(name) (column \(point.column), row \(point.row))"
    }

    enum CodingKeys: String, CodingKey {
        case lowest, highest
        case rangeMM = "range_mm"
        case meanMM = "mean_mm"
        case probedCount = "probed_count"
        case missingCount = "missing_count"
        case plane
    }
}
