import PrintEdgeConfig
import PrintEdgeCore

/// Decides which lines of a `gcode` command may reach a printer: each line is normalised as
/// a job's would be, and its command word must be in the allow-list in force (the idle one,
/// or the narrower one while a job prints). Defaults and why: `FleetCommandSettings`.
///
/// Words are read as Marlin reads them (`GCodeCommandWord`).
struct FleetCommandGCodeAllowList: Sendable {
    let allowed: Set<String>
    let allowedWhilePrinting: Set<String>

    init(settings: FleetCommandSettings) {
        allowed = Set(settings.gcodeAllowed)
        allowedWhilePrinting = Set(settings.gcodeAllowedWhilePrinting)
    }

    /// The lines as they will be sent (comments, line numbers and checksums stripped), or
    /// the first problem; blank and comment-only lines are dropped.
    func normalise(_ lines: [String], maxFramedBytes: Int) throws(FleetCommandError) -> [(word: String, line: String)] {
        var preflight = GCodePreflight(maxFramedBytes: maxFramedBytes)
        var checked: [(word: String, line: String)] = []
        for (index, line) in lines.enumerated() {
            if let control = line.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\t" }) {
                throw FleetCommandError(.badRequest, "`lines[\(index)]` holds the control character U+\(String(control.value, radix: 16, uppercase: true)); each element is one line, without line breaks", field: "lines")
            }
            let command: [UInt8]?
            do {
                command = try preflight.check(rawLine: Array(line.utf8))
            } catch {
                throw FleetCommandError(.badRequest, "`lines[\(index)]`: \(error)", field: "lines")
            }
            guard let command else { continue }
            let text = String(decoding: command, as: UTF8.self)
            let word = GCodeCommandWord.of( text)
            guard allowed.contains(word) else {
                throw FleetCommandError(.gcodeNotAllowed, "`lines[\(index)]` (\"\(text)\") is \(word.isEmpty ? "not a G, M or T command" : "`\(word)`, which is not in `gcode_allow`") of [mqtt.commands]; allowed: \(allowed.sorted(by: Self.commandOrder).joined(separator: " "))", field: "lines")
            }
            checked.append((word, text))
        }
        guard !checked.isEmpty else {
            throw FleetCommandError(.badRequest, "`lines` of `gcode` holds no command (only blanks or comments)", field: "lines")
        }
        return checked
    }

    /// Refuses a command word that may not run under a job.
    func checkWhilePrinting(_ lines: [(word: String, line: String)], printerID: String, state: String) throws(FleetCommandError) {
        for (index, line) in lines.enumerated() where !allowedWhilePrinting.contains(line.word) {
            throw FleetCommandError(.busy, "printer \(printerID) is \(state) and `\(line.word)` (lines[\(index)]) is not in `gcode_allow_while_printing` of [mqtt.commands]; allowed under a job: \(allowedWhilePrinting.sorted(by: Self.commandOrder).joined(separator: " "))", field: "lines")
        }
    }

    /// G before M before T, then by number: the order of Marlin's G-code index.
    private static func commandOrder(_ a: String, _ b: String) -> Bool {
        let rank: (String) -> (Int, Int) = { word in
            (["G": 0, "M": 1, "T": 2][word.first.map(String.init) ?? ""] ?? 3, Int(word.dropFirst()) ?? 0)
        }
        return rank(a) < rank(b)
    }
}
