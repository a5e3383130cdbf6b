#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeControl

/// What `jobs submit` shows while the daemon copies and analyses a file: a bar on standard
/// error when it is a terminal, one line per stage otherwise, nothing with `--quiet`.
struct SubmissionDisplay {
    let file: String
    let enabled: Bool
    private let isTerminal = TerminalStyle.isTerminal(STDERR_FILENO)
    private var stage: String?
    private var drewBar = false

    init(file: String, enabled: Bool) {
        self.file = file
        self.enabled = enabled
    }

    mutating func show(_ progress: SubmissionProgress) {
        guard enabled else { return }
        let done = SubmissionDisplay.megabytes(progress.doneBytes)
        let of = progress.totalBytes.map { " of " + SubmissionDisplay.megabytes($0) } ?? ""
        if isTerminal {
            let fraction = progress.totalBytes.map { $0 > 0 ? Double(progress.doneBytes) / Double($0) : 1 } ?? 0
            let width = 24
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            writeStandardError("\r\u{1B}[K\(progress.stage) \(file) [\(bar)] \(done)\(of)")
            drewBar = true
        } else if progress.stage != stage {
            standardError("\(progress.stage) \(file)\(progress.totalBytes.map { " (" + SubmissionDisplay.megabytes($0) + ")" } ?? "")")
        }
        stage = progress.stage
    }

    mutating func finish() {
        if drewBar { writeStandardError("\r\u{1B}[K") }
        drewBar = false
    }

    /// "48.7 MB".
    static func megabytes(_ bytes: Int64) -> String {
        format(Double(bytes) / 1_000_000, 1) + " MB"
    }
}
