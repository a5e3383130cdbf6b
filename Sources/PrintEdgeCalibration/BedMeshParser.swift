/// Reads a mesh out of firmware output a line at a time: what `G29`, `G29 T`, `M420 V`,
/// `G29 S0` or Prusa's `G81` print. The format is recognised from its heading, so the same
/// parser serves every leveling system; temperature autoreports, keepalives and `ok` between
/// the lines are skipped.
///
/// Formats (research §1.3–§1.6, §1.13), each tested with the research file's samples:
/// - bilinear: `Bilinear Leveling Grid:`, a column index line, rows ` 0 +0.311 … ` front
///   first; `=====` marks an unprobed point; 3 decimals (2 on old 2.0 builds). A following
///   `Subdivided with CATMULL ROM Leveling Grid:` (ABL_BILINEAR_SUBDIVISION) is interpolated,
///   not probed, and is ignored;
/// - UBL: `Bed Topography Report:`, corner coordinates `( 20,215)  (215,215)`, column labels,
///   rows ` 9 | +0.070 … [-0.043] … .` back first, `   |` spacers, labels again and the front
///   corners; `.` is unprobed; 2 decimals on 2.1.x releases, 3 before 2022 and on bugfix since
///   2023; the cell nearest the probe is bracketed. `G29 T1` prints tab-separated rows with `NAN`;
/// - MBL: `3x3 mesh. Z offset: 0.00000`, `Measured points:`, an index line, rows front first
///   with 5 decimals;
/// - Prusa G81: `Num X,Y: 7,7`, `Measured points:`, rows of numbers back first, no index.
///
/// Marlin's serial output has no blank lines to rely on (and the host's line assembler drops
/// them), so a table ends at the first line that is not one of its rows.
public struct BedMeshParser: Sendable {
    /// What the caller knows about the mesh beforehand.
    public struct Expectation: Sendable, Equatable {
        /// The grid size the profile or the request names; a different one is an error.
        public var columns: Int?
        public var rows: Int?
        /// Where the mesh's corners are, for output that gives no coordinates (bilinear, MBL).
        public var bounds: MeshBounds?

        public init(columns: Int? = nil, rows: Int? = nil, bounds: MeshBounds? = nil) {
            self.columns = columns
            self.rows = rows
            self.bounds = bounds
        }
    }

    private enum Phase: Equatable {
        case searching
        case bilinearHeader
        case bilinearRows(columns: Int?)
        case unifiedHeader(columns: Int?)
        case unifiedRows(columns: Int)
        case unifiedFooter
        case unifiedCSV
        case manualHeader
        case manualRows(columns: Int?)
        case prusaRows
        case done
    }

    private enum Cell {
        case value(DecimalNumber)
        case missing
    }

    private let expectation: Expectation
    private var phase: Phase = .searching
    private var source: BedMesh.Source?
    /// Rows of formats that print their index, by index.
    private var indexedRows: [Int: [Double?]] = [:]
    /// Rows of formats that do not, in printed order.
    private var orderedRows: [[Double?]] = []
    private var nextRowIndex = 0
    private var decimals: Int?
    private var declaredColumns: Int?
    private var declaredRows: Int?
    private var topCorners: [(x: Double, y: Double)] = []
    private var bottomCorners: [(x: Double, y: Double)] = []
    private var isPrusa = false
    private var probes: [ProbeReading] = []
    private var problem: CalibrationParseError?
    private var firmwareNote: String?

    public init(expecting expectation: Expectation = Expectation()) {
        self.expectation = expectation
    }

    public mutating func consume(_ line: String) {
        consume(line[...])
    }

    public mutating func consume(_ rawLine: Substring) {
        guard problem == nil, !FirmwareText.isChatter(rawLine) else { return }
        let text = FirmwareText.body(rawLine)
        if text.isEmpty { return }
        if let probe = ProbeReading(line: rawLine) {
            probes.append(probe)
            return
        }
        switch phase {
        case .searching, .done:
            readHeading(text)
        case .bilinearHeader:
            if let labels = Self.columnLabels(text) {
                phase = .bilinearRows(columns: labels)
            } else if !readIndexedRow(text, columns: nil, separator: nil) {
                endTable(text)
            } else {
                phase = .bilinearRows(columns: indexedRows[0]?.count)
            }
        case .bilinearRows(let columns), .manualRows(let columns):
            if !readIndexedRow(text, columns: columns, separator: nil) { endTable(text) }
        case .manualHeader:
            if let labels = Self.columnLabels(text) {
                phase = .manualRows(columns: labels)
            } else if readIndexedRow(text, columns: nil, separator: nil) {
                phase = .manualRows(columns: indexedRows[0]?.count)
            } else {
                endTable(text)
            }
        case .unifiedHeader(let columns):
            if let corners = Self.corners(text) {
                topCorners = corners
            } else if let labels = Self.columnLabels(text) {
                phase = .unifiedHeader(columns: labels)
            } else if let columns, readIndexedRow(text, columns: columns, separator: "|") {
                phase = indexedRows[0] == nil ? .unifiedRows(columns: columns) : .unifiedFooter
            } else if text.contains("|") {
                problem = .unreadable(what: "the UBL topography report", line: String(text), detail: "a row came before the column labels")
            } else {
                endTable(text)
            }
        case .unifiedRows(let columns):
            if text == "|" { return }
            if readIndexedRow(text, columns: columns, separator: "|") {
                if indexedRows[0] != nil { phase = .unifiedFooter }
            } else {
                problem = .cutShort(what: "the UBL topography report", detail: "row \(nextRowIndex + 1) was followed by \"\(text)\" instead of the next row")
            }
        case .unifiedFooter:
            if let corners = Self.corners(text) {
                bottomCorners = corners
                phase = .done
            } else if Self.columnLabels(text) == nil, text != "|" {
                problem = .cutShort(what: "the UBL topography report", detail: "it ended without the front corners' coordinates")
            }
        case .unifiedCSV, .prusaRows:
            if !readOrderedRow(text, separatedByTabs: phase == .unifiedCSV) { endTable(text) }
        }
    }

    /// The mesh, once the command that printed it was acknowledged.
    public func result() throws(CalibrationParseError) -> BedMesh {
        if let problem { throw problem }
        guard let source else {
            throw .missing(what: "the mesh", detail: firmwareNote ?? "the firmware printed no mesh (no `Bilinear Leveling Grid:`, `Bed Topography Report:` or `Measured points:`)")
        }
        let what = Self.name(of: source)
        if case .unifiedFooter = phase {
            throw .cutShort(what: what, detail: "it ended without the front corners' coordinates")
        }
        if case .unifiedRows = phase {
            throw .cutShort(what: what, detail: "it stopped after row \(nextRowIndex + 1), before row 0")
        }
        var rows: [[Double?]] = []
        if orderedRows.isEmpty {
            for index in 0..<((indexedRows.keys.max() ?? -1) + 1) {
                guard let row = indexedRows[index] else { throw .cutShort(what: what, detail: "row \(index) is missing") }
                rows.append(row)
            }
        } else {
            // UBL's CSV form and G81 print no row index, the back row first.
            rows = orderedRows.reversed()
        }
        guard let columns = rows.first?.count, columns > 0 else { throw .cutShort(what: what, detail: "it has no rows") }
        if let declaredColumns, declaredColumns != columns { throw .cutShort(what: what, detail: "it has \(columns) columns but announced \(declaredColumns)") }
        if let declaredRows, declaredRows != rows.count { throw .cutShort(what: what, detail: "it has \(rows.count) rows but announced \(declaredRows)") }
        if let wanted = expectation.columns, wanted != columns {
            throw .missing(what: what, detail: "the grid is \(columns) points wide, not the \(wanted) expected: check the probe count in the printer's profile")
        }
        if let wanted = expectation.rows, wanted != rows.count {
            throw .missing(what: what, detail: "the grid is \(rows.count) points deep, not the \(wanted) expected (a cut-short table, or a probe count the profile does not match)")
        }
        guard rows.contains(where: { $0.contains { $0 != nil } }) else {
            throw .missing(what: what, detail: "no point of the mesh was probed")
        }
        var mesh = BedMesh(source: source, rows: rows, decimals: decimals ?? 3)
        if topCorners.count == 2, bottomCorners.count == 2 {
            mesh = mesh.placed(in: MeshBounds(minimumXMM: topCorners[0].x, maximumXMM: topCorners[1].x, minimumYMM: bottomCorners[0].y, maximumYMM: topCorners[0].y))
        } else if let placed = placedByProbes(mesh) {
            mesh = placed
        } else if let bounds = expectation.bounds {
            mesh = mesh.placed(in: bounds)
        }
        return mesh
    }

    private mutating func readHeading(_ text: Substring) {
        if text.hasPrefix("Subdivided with") {
            // ABL_BILINEAR_SUBDIVISION's interpolated grid follows the probed one: not data.
            phase = .done
            return
        }
        guard phase == .searching else { return }
        if text.hasPrefix("Bilinear Leveling Grid") {
            start(.bilinear, .bilinearHeader)
        } else if text.hasPrefix("Bed Topography Report for CSV") {
            start(.unified, .unifiedCSV)
        } else if text.hasPrefix("Bed Topography Report") {
            start(.unified, .unifiedHeader(columns: nil))
        } else if text.hasPrefix("Num X,Y:") {
            isPrusa = true
            let numbers = text.dropFirst(8).split(separator: ",").map { Int(FirmwareText.trimmed($0)) }
            if numbers.count == 2 { declaredColumns = numbers[0]; declaredRows = numbers[1] }
        } else if text.hasPrefix("Measured points") {
            if isPrusa { start(.prusa, .prusaRows) } else { start(.manual, .manualHeader) }
        } else if let size = text.firstRange(of: " mesh. Z offset"), let x = text[..<size.lowerBound].firstIndex(of: "x") {
            // MBL: `3x3 mesh. Z offset: 0.00000`.
            declaredColumns = Int(text[..<x])
            declaredRows = Int(text[text.index(after: x)..<size.lowerBound])
        } else if text.hasPrefix("Invalid mesh") || text.hasPrefix("Mesh Bed Leveling has no data") || text.hasPrefix("Mesh bed leveling not active") {
            firmwareNote = "the firmware has no mesh to show (\"\(text)\"): probe one first"
        } else if text.hasPrefix("Bed Level Correction Matrix") {
            firmwareNote = "this firmware levels with a plane (AUTO_BED_LEVELING_3POINT or LINEAR, `Bed Level Correction Matrix:`): it keeps no grid of heights to show"
        }
    }

    private mutating func start(_ source: BedMesh.Source, _ phase: Phase) {
        self.source = source
        self.phase = phase
    }

    private mutating func endTable(_ text: Substring) {
        phase = .done
        readHeading(text)
    }

    /// ` 3 +0.136 +0.094 ===== +0.067` or ` 4 | -0.033 [-0.043] .`; false when the line is not
    /// a row at all. A damaged row sets `problem`.
    private mutating func readIndexedRow(_ text: Substring, columns: Int?, separator: Character?) -> Bool {
        let indexPart: Substring
        let cellPart: Substring
        if let separator {
            guard let bar = text.firstIndex(of: separator) else { return false }
            indexPart = FirmwareText.trimmed(text[..<bar])
            cellPart = text[text.index(after: bar)...]
        } else {
            let start = text.drop { $0 == " " }
            let end = start.firstIndex(of: " ") ?? start.endIndex
            indexPart = start[..<end]
            cellPart = start[end...]
        }
        guard let index = Int(indexPart), index >= 0 else { return false }
        let what = Self.name(of: source ?? .bilinear)
        let tokens = cellPart.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "[" || $0 == "]" })
        if separator == nil, !tokens.isEmpty, tokens.allSatisfy({ Int($0) != nil }) { return false }  // a label line
        guard !tokens.isEmpty else {
            problem = .cutShort(what: what, detail: "row \(index) has no values")
            return true
        }
        guard let cells = readCells(tokens[...], line: text, what: what) else { return true }
        if let columns, cells.count != columns {
            problem = .unreadable(what: what, line: String(text), detail: "row \(index) has \(cells.count) values, the grid has \(columns) columns")
            return true
        }
        let expected = source == .unified ? (indexedRows.isEmpty ? index : nextRowIndex) : nextRowIndex
        guard index == expected, indexedRows[index] == nil else {
            problem = .cutShort(what: what, detail: "row \(index) came where row \(expected) belongs: a row was lost")
            return true
        }
        indexedRows[index] = cells
        nextRowIndex = source == .unified ? index - 1 : index + 1
        return true
    }

    /// A CSV (`G29 T1`) or G81 row: values only.
    private mutating func readOrderedRow(_ text: Substring, separatedByTabs: Bool) -> Bool {
        let tokens = text.split(whereSeparator: { separatedByTabs ? ($0 == "\t" || $0 == ",") : ($0 == " " || $0 == "\t") })
            .map { FirmwareText.trimmed($0) }.filter { !$0.isEmpty }
        guard !tokens.isEmpty, tokens.allSatisfy({ Self.cell($0) != nil }) else { return false }
        let what = Self.name(of: source ?? .unified)
        guard let cells = readCells(tokens[...], line: text, what: what) else { return true }
        if let first = orderedRows.first, first.count != cells.count {
            problem = .unreadable(what: what, line: String(text), detail: "this row has \(cells.count) values, the first had \(first.count)")
            return true
        }
        orderedRows.append(cells)
        return true
    }

    private mutating func readCells(_ tokens: ArraySlice<Substring>, line: Substring, what: String) -> [Double?]? {
        var cells: [Double?] = []
        for token in tokens {
            switch Self.cell(token) {
            case .value(let number)?:
                // Marlin prints a whole table with one precision: fewer digits is a cut value.
                if let decimals, number.decimals != decimals {
                    problem = .unreadable(what: what, line: String(line), detail: "\"\(token)\" has \(number.decimals) decimals where the table has \(decimals)")
                    return nil
                }
                decimals = number.decimals
                cells.append(number.value)
            case .missing?:
                cells.append(nil)
            case nil:
                problem = .unreadable(what: what, line: String(line), detail: "\"\(token)\" is neither a height nor an unprobed-point mark")
                return nil
            }
        }
        return cells
    }

    private static func cell(_ token: Substring) -> Cell? {
        if let number = DecimalNumber(token) { return .value(number) }
        if token == "." || token.lowercased() == "nan" || (token.count >= 3 && token.allSatisfy { $0 == "=" }) { return .missing }
        return nil
    }

    /// `      0      1      2`: the number of columns, when the line is exactly 0, 1, 2, …
    private static func columnLabels(_ text: Substring) -> Int? {
        let words = text.split(separator: " ")
        guard !words.isEmpty else { return nil }
        for (position, word) in words.enumerated() where Int(word) != position { return nil }
        return words.count
    }

    /// `    ( 20,215)        (215,215)`, also `(  -41,226)`: the coordinates in parentheses.
    private static func corners(_ text: Substring) -> [(x: Double, y: Double)]? {
        var result: [(x: Double, y: Double)] = []
        var rest = text
        while let open = rest.firstIndex(of: "(") {
            guard let close = rest[open...].firstIndex(of: ")") else { return nil }
            let parts = rest[rest.index(after: open)..<close].split(separator: ",")
            guard parts.count == 2, let x = DecimalNumber(FirmwareText.trimmed(parts[0])), let y = DecimalNumber(FirmwareText.trimmed(parts[1])) else { return nil }
            result.append((x.value, y.value))
            rest = rest[rest.index(after: close)...]
        }
        return result.count == 2 ? result : nil
    }

    /// With `G29 V3` every probed point was printed as `Bed X: … Y: … Z: …`: their distinct X and
    /// Y are the grid's own coordinates when they match its size.
    private func placedByProbes(_ mesh: BedMesh) -> BedMesh? {
        guard !probes.isEmpty else { return nil }
        func distinct(_ values: [Double]) -> [Double] {
            var result: [Double] = []
            for value in values.sorted() where result.last.map({ abs($0 - value) > 0.05 }) ?? true { result.append(value) }
            return result
        }
        let xs = distinct(probes.map(\.xMM))
        let ys = distinct(probes.map(\.yMM))
        guard xs.count == mesh.columnCount, ys.count == mesh.rowCount else { return nil }
        var placed = mesh
        placed.columnXMM = xs
        placed.rowYMM = ys
        return placed
    }

    private static func name(of source: BedMesh.Source) -> String {
        switch source {
        case .bilinear: "the bilinear leveling grid"
        case .unified: "the UBL topography report"
        case .manual: "the MBL mesh"
        case .prusa: "the G81 mesh"
        case .settings: "the mesh in the settings"
        }
    }
}
