import PrintEdgeCore

/// The mesh as an SVG file: one square per point in the scale's colour with its height written
/// in it, axes labelled with the mesh's own millimetre coordinates (or grid indices when it has
/// none), the lowest and highest points outlined and named, and the colour legend with its
/// fixed limits. Top view: the back of the bed at the top.
public enum MeshSVGImage {
    public static func render(_ mesh: BedMesh, scale: MeshColourScale, title: String = "Bed mesh") -> String {
        let cell = 64
        let left = 90, top = 70, right = 190, bottom = 92
        let width = left + cell * mesh.columnCount + right
        let height = top + cell * mesh.rowCount + bottom
        let decimals = min(max(mesh.decimals, 2), 3)
        let analysis = BedMeshAnalysis(mesh)
        var svg = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
            "<text x=\"\(left)\" y=\"28\" font-size=\"18\">\(escape(title))</text>",
        ]
        if let analysis {
            svg.append("<text x=\"\(left)\" y=\"50\" font-size=\"13\">range \(GCodeDecimal.fixed(analysis.rangeMM, decimals: 3)) mm; \(escape(scale.isAutomatic ? "colours scaled to this mesh" : "fixed colour scale")) ±\(GCodeDecimal.fixed(scale.limitMM, decimals: 2)) mm</text>")
        }
        // Row 0 (front) is drawn at the bottom.
        func cellOrigin(column: Int, row: Int) -> (x: Int, y: Int) {
            (left + column * cell, top + (mesh.rowCount - 1 - row) * cell)
        }
        for row in 0..<mesh.rowCount {
            for column in 0..<mesh.columnCount {
                let (x, y) = cellOrigin(column: column, row: row)
                let value = mesh.z(column: column, row: row)
                let fill = value.map { scale.colour(for: $0) } ?? MeshColourScale.missingColour
                let ink = fill.isLight ? "#000000" : "#ffffff"
                svg.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill.hex)\" stroke=\"#ffffff\" stroke-width=\"1\"/>")
                let text = value.map { GCodeDecimal.signed($0, decimals: decimals) } ?? "--"
                svg.append("<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 5)\" font-size=\"13\" text-anchor=\"middle\" fill=\"\(ink)\">\(text)</text>")
            }
        }
        // Axes in the mesh's own coordinates.
        for column in 0..<mesh.columnCount {
            let (x, _) = cellOrigin(column: column, row: 0)
            let label = mesh.columnXMM.map { GCodeDecimal.fixed($0[column], decimals: 1) } ?? String(column)
            svg.append("<text x=\"\(x + cell / 2)\" y=\"\(top + cell * mesh.rowCount + 20)\" font-size=\"12\" text-anchor=\"middle\">\(label)</text>")
        }
        for row in 0..<mesh.rowCount {
            let (_, y) = cellOrigin(column: 0, row: row)
            let label = mesh.rowYMM.map { GCodeDecimal.fixed($0[row], decimals: 1) } ?? String(row)
            svg.append("<text x=\"\(left - 8)\" y=\"\(y + cell / 2 + 4)\" font-size=\"12\" text-anchor=\"end\">\(label)</text>")
        }
        let xAxis = mesh.columnXMM == nil ? "column" : "X (mm)"
        let yAxis = mesh.rowYMM == nil ? "row" : "Y (mm)"
        svg.append("<text x=\"\(left + cell * mesh.columnCount / 2)\" y=\"\(top + cell * mesh.rowCount + 44)\" font-size=\"13\" text-anchor=\"middle\">\(xAxis), front of the bed at the bottom</text>")
        svg.append("<text x=\"16\" y=\"\(top + cell * mesh.rowCount / 2)\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(top + cell * mesh.rowCount / 2))\">\(yAxis)</text>")
        // Lowest and highest points.
        let legendX = left + cell * mesh.columnCount + 30
        if let analysis {
            for (point, dash) in [(analysis.highest, ""), (analysis.lowest, " stroke-dasharray=\"6 3\"")] {
                let (x, y) = cellOrigin(column: point.column, row: point.row)
                svg.append("<rect x=\"\(x + 2)\" y=\"\(y + 2)\" width=\"\(cell - 4)\" height=\"\(cell - 4)\" fill=\"none\" stroke=\"#000000\" stroke-width=\"3\"\(dash)/>")
            }
            let columns = mesh.columnCount, rows = mesh.rowCount
            svg.append("<text x=\"\(left)\" y=\"\(height - 26)\" font-size=\"12\">\(escape("highest \(GCodeDecimal.signed(analysis.highest.zMM, decimals: 3)) mm \(BedMeshAnalysis.place(analysis.highest, columnCount: columns, rowCount: rows)), solid outline"))</text>")
            svg.append("<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"12\">\(escape("lowest \(GCodeDecimal.signed(analysis.lowest.zMM, decimals: 3)) mm \(BedMeshAnalysis.place(analysis.lowest, columnCount: columns, rowCount: rows)), dashed outline"))</text>")
        }
        // The legend: the scale's colours from +limit (top) to −limit (bottom).
        let barTop = top, barHeight = cell * mesh.rowCount
        svg.append("<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">")
        for step in 0...10 {
            let fraction = Double(step) / 10
            let colour = scale.colour(for: scale.limitMM * (1 - 2 * fraction))
            svg.append("<stop offset=\"\(GCodeDecimal.text(fraction, decimals: 2))\" stop-color=\"\(colour.hex)\"/>")
        }
        svg.append("</linearGradient></defs>")
        svg.append("<rect x=\"\(legendX)\" y=\"\(barTop)\" width=\"24\" height=\"\(barHeight)\" fill=\"url(#scale)\" stroke=\"#000000\"/>")
        let limit = GCodeDecimal.fixed(scale.limitMM, decimals: 2)
        svg.append("<text x=\"\(legendX + 32)\" y=\"\(barTop + 10)\" font-size=\"12\">+\(limit) mm (high)</text>")
        svg.append("<text x=\"\(legendX + 32)\" y=\"\(barTop + barHeight / 2 + 4)\" font-size=\"12\">0</text>")
        svg.append("<text x=\"\(legendX + 32)\" y=\"\(barTop + barHeight)\" font-size=\"12\">-\(limit) mm (low)</text>")
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
