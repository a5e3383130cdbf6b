/// A bed-leveling mesh as Marlin stores it (`z_values[x][y]`): a rectangular grid of Z
/// heights over native X and Y, row 0 at the front (minimum Y), column 0 at the left.
/// A point never probed has no value (Marlin's NaN).
public struct BedMesh: Sendable, Equatable {
    public let pointsX: Int
    public let pointsY: Int
    /// Native X of the first and last columns, Y of the first and last rows.
    public let minX: Double
    public let maxX: Double
    public let minY: Double
    public let maxY: Double
    /// Heights in millimetres, x-major: `values[x * pointsY + y]`.
    public private(set) var values: [Double?]

    /// A mesh with no point probed yet.
    public init(pointsX: Int, pointsY: Int, minX: Double, maxX: Double, minY: Double, maxY: Double) {
        self.pointsX = max(2, pointsX)
        self.pointsY = max(2, pointsY)
        self.minX = minX
        self.maxX = maxX
        self.minY = minY
        self.maxY = maxY
        values = [Double?](repeating: nil, count: self.pointsX * self.pointsY)
    }

    public subscript(x: Int, y: Int) -> Double? {
        get { values[x * pointsY + y] }
        set { values[x * pointsY + y] = newValue }
    }

    /// Native X of column `index`.
    public func x(ofColumn index: Int) -> Double {
        minX + (maxX - minX) * Double(index) / Double(pointsX - 1)
    }

    /// Native Y of row `index`.
    public func y(ofRow index: Int) -> Double {
        minY + (maxY - minY) * Double(index) / Double(pointsY - 1)
    }

    /// Every point has a value (UBL's `mesh_is_valid`).
    public var isComplete: Bool { values.allSatisfy { $0 != nil } }

    /// The Z correction at a native X, Y: bilinear between the four surrounding points,
    /// clamped to the grid's edge outside it; a point without a value counts as 0, as
    /// UBL's `get_z_correction` throws out NaN.
    public func correction(atX x: Double, y: Double) -> Double {
        let column = VirtualMarlin.cell(x, from: minX, to: maxX, points: pointsX)
        let row = VirtualMarlin.cell(y, from: minY, to: maxY, points: pointsY)
        let z00 = self[column.index, row.index] ?? 0
        let z10 = self[column.index + 1, row.index] ?? 0
        let z01 = self[column.index, row.index + 1] ?? 0
        let z11 = self[column.index + 1, row.index + 1] ?? 0
        let front = z00 + (z10 - z00) * column.fraction
        let back = z01 + (z11 - z01) * column.fraction
        return front + (back - front) * row.fraction
    }

    /// The point nearest to a native X, Y (UBL's `closest_indexes`).
    public func nearestPoint(toX x: Double, y: Double) -> (x: Int, y: Int) {
        func nearest(_ value: Double, _ low: Double, _ high: Double, _ points: Int) -> Int {
            guard high > low else { return 0 }
            let index = ((value - low) / (high - low) * Double(points - 1)).rounded()
            return Int(min(Double(points - 1), max(0, index.isFinite ? index : 0)))
        }
        return (nearest(x, minX, maxX, pointsX), nearest(y, minY, maxY, pointsY))
    }
}

extension VirtualMarlin {
    /// The grid cell holding `value` and how far across it: the lower index of the cell
    /// (clamped so index + 1 exists) and a fraction clamped to 0…1.
    static func cell(_ value: Double, from low: Double, to high: Double, points: Int) -> (index: Int, fraction: Double) {
        guard high > low, points >= 2, value.isFinite else { return (0, 0) }
        let position = (value - low) / (high - low) * Double(points - 1)
        let index = Int(min(Double(points - 2), max(0, position.rounded(.down))))
        return (index, min(1, max(0, position - Double(index))))
    }
}
