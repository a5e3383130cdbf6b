import PrintEdgeCore

/// The mesh as a table for a terminal, laid out as seen from above standing in front of the
/// printer: the back row at the top, the front row at the bottom, left on the left. Each cell
/// shows its height; with colour on, its background is the scale's colour (ANSI 24-bit
/// `ESC[48;2;r;g;bm`). The caller decides colour: only on a terminal, never with NO_COLOR.
public enum MeshTerminalHeatmap {
    /// The table, the colour legend, and (with `summary`) range, lowest and highest points and
    /// tilt in words.
    public static func render(_ mesh: BedMesh, scale: MeshColourScale, colour: Bool, summary: Bool = true) -> [String] {
        let decimals = min(max(mesh.decimals, 2), 3)
        let cellWidth = decimals + 5
        let rowNumbers = (0..<mesh.rowCount).map { row in mesh.rowYMM.map { GCodeDecimal.fixed($0[row], decimals: 1) } ?? String(row) }
        let numberWidth = rowNumbers.map(\.count).max() ?? 0
        let rowLabels = rowNumbers.map { (mesh.rowYMM == nil ? "row " : "Y ") + pad($0, numberWidth) }
        let columnLabels = (0..<mesh.columnCount).map { column in mesh.columnXMM.map { GCodeDecimal.fixed($0[column], decimals: 1) } ?? "col \(column)" }
        let labelWidth = rowLabels.map(\.count).max() ?? 0
        var lines: [String] = []
        lines.append(pad("", labelWidth) + " " + columnLabels.map { pad($0, cellWidth - 1) + " " }.joined() + (mesh.columnXMM == nil ? "" : " X mm"))
        for row in (0..<mesh.rowCount).reversed() {
            var line = pad(rowLabels[row], labelWidth) + " "
            for column in 0..<mesh.columnCount {
                let value = mesh.z(column: column, row: row)
                let text = pad(value.map { GCodeDecimal.signed($0, decimals: decimals) } ?? "--", cellWidth - 1) + " "
                guard colour else {
                    line += text
                    continue
                }
                let background = value.map { scale.colour(for: $0) } ?? MeshColourScale.missingColour
                let foreground = background.isLight ? RGBColour(0, 0, 0) : RGBColour(255, 255, 255)
                line += "\u{1B}[38;2;\(foreground.red);\(foreground.green);\(foreground.blue)m\u{1B}[48;2;\(background.red);\(background.green);\(background.blue)m\(text)\u{1B}[0m"
            }
            lines.append(line)
        }
        lines.append(pad("", labelWidth) + " (top view: the back of the bed at the top, its front at the bottom; -- not probed)")
        if colour {
            let steps = 11
            let bar = (0..<steps).map { step -> String in
                let c = scale.colour(for: scale.limitMM * (Double(step) / Double(steps - 1) * 2 - 1))
                return "\u{1B}[48;2;\(c.red);\(c.green);\(c.blue)m  \u{1B}[0m"
            }.joined()
            lines.append(pad("", labelWidth) + " -\(GCodeDecimal.fixed(scale.limitMM, decimals: 2)) mm \(bar) +\(GCodeDecimal.fixed(scale.limitMM, decimals: 2)) mm")
        }
        lines.append(pad("", labelWidth) + " " + scale.legend)
        if summary, let analysis = BedMeshAnalysis(mesh) {
            lines += analysis.summary(columnCount: mesh.columnCount, rowCount: mesh.rowCount)
        }
        return lines
    }

    /// Right-aligned in `width` characters.
    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
