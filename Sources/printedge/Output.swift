#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeControl

/// One line on standard output, flushed at once: into a pipe (`| tee`, `| grep`) each line
/// arrives when it happens, not when a 4 KiB buffer fills. (`stdout` itself cannot be set
/// line-buffered from Swift 6: the C global is shared mutable state to the compiler.)
func say(_ text: String) {
    print(text)
    fflush(nil)
}

/// `--json`: one pretty document with `schema` (ControlCoding's dialect, docs/control.md).
func printJSON(_ value: some Encodable) throws {
    say(try ControlCoding.document(value, pretty: true))
}

/// `--json` for streams: one compact document with `schema` per line.
func printJSONLine(_ value: some Encodable) throws {
    say(try ControlCoding.document(value, pretty: false))
}

func standardError(_ text: String) {
    writeStandardError(text + "\n")
}

/// Writes straight to fd 2: C's `stderr` is shared mutable state to Swift 6, and unbuffered
/// writes keep the progress bar and messages in order.
func writeStandardError(_ text: String) {
    writeAll(STDERR_FILENO, text)
}

/// Writes straight to fd 1, for terminal views that draw with escape sequences.
func writeStandardOutput(_ text: String) {
    fflush(nil)
    writeAll(STDOUT_FILENO, text)
}

private func writeAll(_ descriptor: Int32, _ text: String) {
    var remaining = Array(text.utf8)[...]
    while !remaining.isEmpty {
        let written = remaining.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        remaining = remaining.dropFirst(written)
    }
}

/// Cursor movement only on a terminal; the views use no colour at all.
enum TerminalStyle {
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// The terminal's columns, 80 when it does not say.
    static var columns: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

/// `value` with `decimals` digits after the point, without Foundation's locale.
func format(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (value * scale).rounded()
    if decimals == 0 { return String(Int(scaled)) }
    let whole = Int(scaled) / Int(scale)
    let fraction = abs(Int(scaled)) % Int(scale)
    let padded = String(fraction)
    return "\(whole).\(String(repeating: "0", count: max(0, decimals - padded.count)))\(padded)"
}
