#if canImport(Glibc)
import Glibc
#endif

/// A block of lines redrawn in place on a terminal (`jobs follow`, `watch`): the cursor goes
/// back up over what was drawn last, and everything below it is cleared. Lines are cut to
/// the terminal's width by their callers, so none wraps and the count stays true.
struct LiveScreen {
    private var drawnLines = 0

    mutating func draw(_ lines: [String]) {
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\r" : ""
        text += "\u{1B}[J" + lines.map { $0 + "\n" }.joined()
        writeStandardOutput(text)
        drawnLines = lines.count
    }
}

/// Decides when a piped view writes a line: when what it shows changed in a way a person
/// reads (its `key`: the state, the phase, the layer, the whole percent), and at least once
/// every `quietSeconds`, so a log shows the job is alive during a long layer.
struct LineThrottle {
    static let quietSeconds: Int64 = 60
    private var last: [String: (key: String, atMS: Int64)] = [:]

    mutating func shouldWrite(_ subject: String, key: String, nowMS: Int64) -> Bool {
        if let previous = last[subject], previous.key == key, nowMS - previous.atMS < Self.quietSeconds * 1000 { return false }
        last[subject] = (key, nowMS)
        return true
    }
}

/// Waits between two polls of the daemon.
func pause(seconds: Double) {
    var remaining = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    while true {
        var request = remaining
        guard nanosleep(&request, &remaining) != 0, errno == EINTR else { return }
    }
}
