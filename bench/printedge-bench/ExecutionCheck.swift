import PrintEdgeFixtures

/// Exactness: what the simulator executed (its `--exec-log`, one command a line without
/// line number or checksum) against the commands of the file, in order (see
/// `ExecutionComparison`, which also leaves out printedge's own `M115` and `M105` syncs).
///
/// The file side is read with its own small rule (drop `;` comments, trim blanks, skip empty
/// lines) rather than printedge's normaliser, so a normaliser bug is not mirrored here;
/// it is enough for `SampleGCode`'s output, which has no `(...)` comments, runs of blanks
/// or `N` words of its own.
enum ExecutionCheck {
    /// nil when identical; otherwise what differs, for the table's notes.
    static func compare(file: String, executionLog: String) -> String? {
        guard let source = Workspace.contents(of: file) else { return "cannot read \(file)" }
        guard let log = Workspace.contents(of: executionLog) else { return "sim wrote no execution log" }
        let comparison = ExecutionComparison(executed: commands(in: log, stripComments: false),
                                             expected: commands(in: source, stripComments: true))
        if let mismatch = comparison.firstMismatch { return mismatch }
        return comparison.silentlyDamaged > 0 ? "\(comparison.silentlyDamaged) lines ran damaged past the checksum" : nil
    }

    private static func commands(in text: String, stripComments: Bool) -> [String] {
        text.split(separator: "\n").compactMap { line in
            var command = stripComments ? line.prefix { $0 != ";" } : line
            while command.first?.isWhitespace == true { command.removeFirst() }
            while command.last?.isWhitespace == true { command.removeLast() }
            return command.isEmpty ? nil : String(command)
        }
    }
}
