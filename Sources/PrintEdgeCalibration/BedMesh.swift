/// A bed mesh: heights measured on a grid, normalised so every firmware's output reads the same.
///
/// Row 0 is the front of the bed (the smallest Y) and column 0 its left (the smallest X),
/// whatever order the firmware printed them in: the bilinear and MBL tables print the front row
/// first, UBL's topography map and Prusa's G81 print the back row first (research §1.3–§1.5,
/// §1.13). A point the firmware did not probe is `nil`, never 0: drawing it as level is
/// exactly the Bed Level Visualizer mistake (it replaces `nan` and `=====` with 0.0).
public struct BedMesh: Codable, Sendable, Equatable {
    /// Which leveling system and output the mesh came from.
    public enum Source: String, Codable, Sendable {
        /// AUTO_BED_LEVELING_BILINEAR's `Bilinear Leveling Grid:` (G29, M420 V).
        case bilinear
        /// UNIFIED_BED_LEVELING's `Bed Topography Report:` (G29 T, M420 V), or its CSV form.
        case unified
        /// MESH_BED_LEVELING (manual): `Measured points:` (G29 S0, M420 V).
        case manual
        /// Prusa-Firmware's `G81` (MK3).
        case prusa
        /// The `G29 W I J Z` (bilinear) or `G29 S3 I J Z` (MBL) lines of `M503`.
        case settings
    }

    public var source: Source
    /// Heights in mm, `rows[row][column]`; row 0 at the front, column 0 at the left.
    public var rows: [[Double?]]
    /// Each column's X and each row's Y in mm, when the output or the probed bounds give them.
    public var columnXMM: [Double]?
    public var rowYMM: [Double]?
    /// Digits after the dot as the firmware printed them (2 or 3; 5 for MBL and `G29 W`).
    public var decimals: Int

    public init(source: Source, rows: [[Double?]], columnXMM: [Double]? = nil, rowYMM: [Double]? = nil, decimals: Int) {
        self.source = source
        self.rows = rows
        self.columnXMM = columnXMM
        self.rowYMM = rowYMM
        self.decimals = decimals
    }

    public var columnCount: Int { rows.first?.count ?? 0 }
    public var rowCount: Int { rows.count }

    public func z(column: Int, row: Int) -> Double? {
        rows[row][column]
    }

    /// Every probed point with its grid place and, when known, its position.
    public var probedPoints: [MeshPoint] {
        var points: [MeshPoint] = []
        for (row, values) in rows.enumerated() {
            for (column, value) in values.enumerated() {
                guard let value else { continue }
                points.append(MeshPoint(column: column, row: row, xMM: columnXMM?[column], yMM: rowYMM?[row], zMM: value))
            }
        }
        return points
    }

    /// The same mesh with positions spread evenly over `bounds`, the way Marlin places its
    /// grid between the probed area's corners (`MESH_MIN_X` … `MESH_MAX_Y`, or the
    /// `PROBING_MARGIN` inset of the bed for bilinear).
    public func placed(in bounds: MeshBounds) -> BedMesh {
        var mesh = self
        mesh.columnXMM = bounds.columnXMM(count: columnCount)
        mesh.rowYMM = bounds.rowYMM(count: rowCount)
        return mesh
    }

    enum CodingKeys: String, CodingKey {
        case source, rows
        case columnXMM = "column_x_mm"
        case rowYMM = "row_y_mm"
        case decimals
    }
}

/// One point of a mesh.
public struct MeshPoint: Codable, Sendable, Equatable {
    public var column: Int
    public var row: Int
    public var xMM: Double?
    public var yMM: Double?
    public var zMM: Double

    public init(column: Int, row: Int, xMM: Double?, yMM: Double?, zMM: Double) {
        self.column = column
        self.row = row
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
    }

    enum CodingKeys: String, CodingKey {
        case column, row
        case xMM = "x_mm"
        case yMM = "y_mm"
        case zMM = "z_mm"
    }
}

/// The rectangle a mesh covers, in mm: its first and last columns and rows.
public struct MeshBounds: Codable, Sendable, Equatable {
    public var minimumXMM: Double
    public var maximumXMM: Double
    public var minimumYMM: Double
    public var maximumYMM: Double

    public init(minimumXMM: Double, maximumXMM: Double, minimumYMM: Double, maximumYMM: Double) {
        self.minimumXMM = minimumXMM
        self.maximumXMM = maximumXMM
        self.minimumYMM = minimumYMM
        self.maximumYMM = maximumYMM
    }

    func columnXMM(count: Int) -> [Double] { Self.spread(minimumXMM, maximumXMM, count) }
    func rowYMM(count: Int) -> [Double] { Self.spread(minimumYMM, maximumYMM, count) }

    private static func spread(_ low: Double, _ high: Double, _ count: Int) -> [Double] {
        guard count > 1 else { return [low] }
        return (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
    }

    enum CodingKeys: String, CodingKey {
        case minimumXMM = "minimum_x_mm"
        case maximumXMM = "maximum_x_mm"
        case minimumYMM = "minimum_y_mm"
        case maximumYMM = "maximum_y_mm"
    }
}

extension BedMesh {
    /// The mesh from `M503`'s `G29 W I<x> J<y> Z<z>` (bilinear) or `G29 S3 I<x> J<y> Z<z>`
    /// (MBL) lines, nil when it has none. Marlin 2.1.0's printed bilinear table indexed
    /// non-square grids wrongly (MarlinFirmware/Marlin#24336, fixed by #24536); these lines
    /// are right on every version.
    public init?(settings: FirmwareSettings) {
        var points: [(column: Int, row: Int, z: Double, decimals: Int)] = []
        var source: Source?
        for command in settings.commands where command.code == "G29" {
            let isBilinear = command.parameter("W") != nil
            let isManual = command.value("S") == 3
            guard isBilinear || isManual, let column = command.value("I"), let row = command.value("J"),
                  let z = command.parameter("Z"), let height = DecimalNumber(z.text[...]),
                  column >= 0, row >= 0, column < 256, row < 256
            else { continue }
            source = .settings
            points.append((Int(column), Int(row), height.value, height.decimals))
        }
        guard let source, !points.isEmpty else { return nil }
        let columns = (points.map(\.column).max() ?? 0) + 1
        let rowCount = (points.map(\.row).max() ?? 0) + 1
        var rows = [[Double?]](repeating: [Double?](repeating: nil, count: columns), count: rowCount)
        for point in points { rows[point.row][point.column] = point.z }
        self.init(source: source, rows: rows, decimals: points.map(\.decimals).max() ?? 5)
    }
}
