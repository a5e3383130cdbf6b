import PrintEdgeCore

/// The plane that fits a mesh best (least squares, z = a + b·x + c·y): its tilt is what the bed
/// screws can fix; what is left over is the bed's own shape, which only a mesh can follow.
public struct MeshPlane: Codable, Sendable, Equatable {
    /// How much higher the bed gets per 100 mm to the right (+X), mm.
    public var riseRightMMPer100MM: Double
    /// How much higher the bed gets per 100 mm to the back (+Y), mm.
    public var riseBackMMPer100MM: Double
    /// The spread of the points around the plane (largest above − largest below), mm.
    public var flatnessMM: Double

    /// Nil without at least three points that are not all on one line.
    public init?(points: [(x: Double, y: Double, z: Double)]) {
        guard points.count >= 3 else { return nil }
        let count = Double(points.count)
        let meanX = points.map(\.x).reduce(0, +) / count
        let meanY = points.map(\.y).reduce(0, +) / count
        let meanZ = points.map(\.z).reduce(0, +) / count
        var sxx = 0.0, syy = 0.0, sxy = 0.0, sxz = 0.0, syz = 0.0
        for point in points {
            let dx = point.x - meanX, dy = point.y - meanY, dz = point.z - meanZ
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
            sxz += dx * dz
            syz += dy * dz
        }
        let determinant = sxx * syy - sxy * sxy
        guard determinant > 1e-9 * max(1, sxx * syy) else { return nil }
        let slopeX = (sxz * syy - syz * sxy) / determinant
        let slopeY = (syz * sxx - sxz * sxy) / determinant
        let residuals = points.map { $0.z - (meanZ + slopeX * ($0.x - meanX) + slopeY * ($0.y - meanY)) }
        riseRightMMPer100MM = slopeX * 100
        riseBackMMPer100MM = slopeY * 100
        flatnessMM = (residuals.max() ?? 0) - (residuals.min() ?? 0)
    }

    /// "higher on the right by 0.12 mm per 100 mm and higher at the back by 0.03 mm per 100 mm".
    public var words: String {
        func side(_ rise: Double, _ positive: String, _ negative: String) -> String {
            let amount = GCodeDecimal.fixed(abs(rise), decimals: 2)
            if amount == "0.00" { return "level \(positive == "on the right" ? "from left to right" : "from front to back")" }
            return "higher \(rise > 0 ? positive : negative) by \(amount) mm per 100 mm"
        }
        return "\(side(riseRightMMPer100MM, "on the right", "on the left")) and \(side(riseBackMMPer100MM, "at the back", "at the front"))"
    }

    enum CodingKeys: String, CodingKey {
        case riseRightMMPer100MM = "rise_right_mm_per_100_mm"
        case riseBackMMPer100MM = "rise_back_mm_per_100_mm"
        case flatnessMM = "flatness_mm"
    }
}
