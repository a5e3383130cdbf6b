/// Exactness: what the simulator executed (its `--exec-log`, one command a line without
/// line number or checksum) against the commands of the file, in order. A skipped,
/// repeated or reordered line shows as the first place where they differ.
///
/// printedge's own commands are left out on both sides: the numbered `M115` of its handshake
/// and the numbered `M105`s that keep the `ok` count honest (every 64 lines with plain
/// `ok`s, and one at the end); the simulator executes and logs them like any numbered line.
/// The generated files contain neither.
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
        let expected = commands(in: source, stripComments: true)
        let executed = commands(in: log, stripComments: false)
        for (index, pair) in zip(expected, executed).enumerated() where pair.0 != pair.1 {
            return "command \(index + 1) differs: file '\(pair.0)', sim executed '\(pair.1)'"
        }
        if expected.count != executed.count {
            return "sim executed \(executed.count) of the file's \(expected.count) commands"
        }
        return nil
    }

    private static let hostCommands: Set<Substring> = ["M105", "M115"]

    private static func commands(in text: String, stripComments: Bool) -> [Substring] {
        text.split(separator: "\n").compactMap { line in
            var command = stripComments ? line.prefix { $0 != ";" } : line
            while command.first?.isWhitespace == true { command.removeFirst() }
            while command.last?.isWhitespace == true { command.removeLast() }
            return command.isEmpty || hostCommands.contains(command) ? nil : command
        }
    }
}
