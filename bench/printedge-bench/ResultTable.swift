/// One section's figures: a title, a line saying what they are compared with, and rows,
/// rendered as aligned text for the terminal and as markdown for bench/results/latest.md.
struct ResultTable {
    var title: String
    /// The limits and targets the figures are read against, printed under the title.
    var reference: [String]
    var headers: [String]
    var rows: [[String]] = []
    /// What a star after a figure means ("below the target"); said under the table only
    /// when some figure carries one.
    var starMeaning: String?

    private var footnotes: [String] {
        guard let starMeaning, rows.contains(where: { $0.contains { $0.hasSuffix(" *") } }) else { return [] }
        return ["* \(starMeaning)"]
    }

    var text: String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            headers.indices.map { column in
                let cell = column < cells.count ? cells[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                // Figures right-aligned, words (flow names, notes) left-aligned.
                return ResultTable.isFigure(cell) ? padding + cell : cell + padding
            }
            .joined(separator: "  ")
            .trimmingTrailingSpaces()
        }
        var output = ["== \(title) =="] + reference.map { "   \($0)" } + [""]
        output.append(line(headers))
        output.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        output += rows.map(line)
        output += footnotes.isEmpty ? [] : [""] + footnotes
        return output.joined(separator: "\n") + "\n"
    }

    var markdown: String {
        func line(_ cells: [String]) -> String {
            "| " + headers.indices.map { $0 < cells.count ? cells[$0].replacingPipes() : "" }.joined(separator: " | ") + " |"
        }
        var output = ["## \(title)", ""] + reference.map { "- \($0)" } + [""]
        output.append(line(headers))
        output.append("|" + headers.map { _ in "---|" }.joined())
        output += rows.map(line)
        output += footnotes.isEmpty ? [] : [""] + footnotes.map { "\\" + $0 }
        return output.joined(separator: "\n") + "\n"
    }

    private static func isFigure(_ cell: String) -> Bool {
        guard let first = cell.first else { return false }
        return first.isNumber || (first == "-" && cell.count > 1)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }

    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
