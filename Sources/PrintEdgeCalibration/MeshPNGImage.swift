import PrintEdgeCore

/// The mesh as a PNG: one square per point in the scale's colour (top view, back row at the
/// top), axes labelled with the mesh's own millimetre coordinates, the highest point framed in
/// black and the lowest in black and white, the two extremes written under the grid, and the
/// legend bar with the scale's limits.
public enum MeshPNGImage {
    /// Side of one mesh point's square, pixels.
    public static let cellSize = 64
    static let margin = (left: 84, top: 40, right: 150, bottom: 92)

    public static func render(_ mesh: BedMesh, scale: MeshColourScale) -> [UInt8] {
        raster(mesh, scale: scale).png
    }

    /// Where the centre of a mesh point's square is, in pixels: for tests and image maps.
    public static func centre(column: Int, row: Int, of mesh: BedMesh) -> (x: Int, y: Int) {
        (margin.left + column * cellSize + cellSize / 2, margin.top + (mesh.rowCount - 1 - row) * cellSize + cellSize / 2)
    }

    public static func size(of mesh: BedMesh) -> (width: Int, height: Int) {
        (margin.left + mesh.columnCount * cellSize + margin.right, margin.top + mesh.rowCount * cellSize + margin.bottom)
    }

    static func raster(_ mesh: BedMesh, scale: MeshColourScale) -> RasterImage {
        let (width, height) = size(of: mesh)
        let ink = RGBColour(0, 0, 0)
        var image = RasterImage(width: width, height: height, background: RGBColour(255, 255, 255))
        let gridRight = margin.left + mesh.columnCount * cellSize
        let gridBottom = margin.top + mesh.rowCount * cellSize
        for row in 0..<mesh.rowCount {
            for column in 0..<mesh.columnCount {
                let (x, y) = centre(column: column, row: row, of: mesh)
                let colour = mesh.z(column: column, row: row).map { scale.colour(for: $0) } ?? MeshColourScale.missingColour
                image.fill(x: x - cellSize / 2 + 1, y: y - cellSize / 2 + 1, width: cellSize - 2, height: cellSize - 2, colour)
                if mesh.z(column: column, row: row) == nil {
                    image.text("--", x: x - PixelFont.width("--", scale: 2) / 2, y: y - 7, scale: 2, ink)
                }
            }
        }
        // Axis labels, every column/row that has room for its label.
        let columnLabels = (0..<mesh.columnCount).map { column in mesh.columnXMM.map { GCodeDecimal.fixed($0[column], decimals: 0) } ?? String(column) }
        let widest = columnLabels.map { PixelFont.width($0, scale: 2) }.max() ?? 0
        let every = max(1, (widest + 8 + cellSize - 1) / cellSize)
        for column in stride(from: 0, to: mesh.columnCount, by: every) {
            let (x, _) = centre(column: column, row: 0, of: mesh)
            image.text(columnLabels[column], x: x - PixelFont.width(columnLabels[column], scale: 2) / 2, y: gridBottom + 8, scale: 2, ink)
        }
        for row in 0..<mesh.rowCount {
            let (_, y) = centre(column: 0, row: row, of: mesh)
            let label = mesh.rowYMM.map { GCodeDecimal.fixed($0[row], decimals: 0) } ?? String(row)
            image.text(label, x: margin.left - 8 - PixelFont.width(label, scale: 2), y: y - 7, scale: 2, ink)
        }
        let xAxis = mesh.columnXMM == nil ? "X" : "X mm"
        image.text(xAxis, x: margin.left + (gridRight - margin.left - PixelFont.width(xAxis, scale: 2)) / 2, y: gridBottom + 34, scale: 2, ink)
        image.text(mesh.rowYMM == nil ? "Y" : "Y mm", x: 8, y: margin.top - 26, scale: 2, ink)
        // The extremes, framed.
        if let analysis = BedMeshAnalysis(mesh) {
            let (hx, hy) = centre(column: analysis.highest.column, row: analysis.highest.row, of: mesh)
            image.outline(x: hx - cellSize / 2 + 1, y: hy - cellSize / 2 + 1, width: cellSize - 2, height: cellSize - 2, thickness: 4, ink)
            let (lx, ly) = centre(column: analysis.lowest.column, row: analysis.lowest.row, of: mesh)
            image.outline(x: lx - cellSize / 2 + 1, y: ly - cellSize / 2 + 1, width: cellSize - 2, height: cellSize - 2, thickness: 4, ink)
            image.outline(x: lx - cellSize / 2 + 5, y: ly - cellSize / 2 + 5, width: cellSize - 10, height: cellSize - 10, thickness: 2, RGBColour(255, 255, 255))
            let extremes = "max \(GCodeDecimal.signed(analysis.highest.zMM, decimals: 3))  min \(GCodeDecimal.signed(analysis.lowest.zMM, decimals: 3))"
            image.text(extremes, x: margin.left, y: gridBottom + 62, scale: 2, ink)
        }
        // The colour bar: +limit at the top, −limit at the bottom.
        let barX = gridRight + 16, barHeight = min(gridBottom - margin.top, 200)
        for offset in 0..<barHeight {
            let z = scale.limitMM * (1 - 2 * Double(offset) / Double(max(1, barHeight - 1)))
            image.fill(x: barX, y: margin.top + offset, width: 20, height: 1, scale.colour(for: z))
        }
        image.outline(x: barX - 1, y: margin.top - 1, width: 22, height: barHeight + 2, thickness: 1, ink)
        let limit = GCodeDecimal.fixed(scale.limitMM, decimals: 2)
        image.text("+" + limit, x: barX + 28, y: margin.top, scale: 2, ink)
        image.text("0", x: barX + 28, y: margin.top + barHeight / 2 - 7, scale: 2, ink)
        image.text("-" + limit, x: barX + 28, y: margin.top + barHeight - 14, scale: 2, ink)
        image.text(scale.isAutomatic ? "mm auto" : "mm fixed", x: barX, y: margin.top - 26, scale: 2, ink)
        return image
    }
}
