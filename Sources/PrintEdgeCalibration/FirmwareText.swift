import PrintEdgeCore

/// How the calibration parsers read one firmware line. Marlin prints calibration output with
/// and without `echo:` (M303, G29 grids, `Bed X:` and M48 lines have no prefix; M503 has one,
/// `M503 S0` has none, and the G21 line changed between builds, research §1.0/§1.2), so the
/// parsers match the text after an optional prefix, never the prefix itself.
enum FirmwareText {
    /// The line without surrounding blanks and without an `echo:` prefix.
    static func body(_ line: Substring) -> Substring {
        var text = trimmed(line)
        if text.hasPrefix("echo:") { text = trimmed(text.dropFirst(5)) }
        return text
    }

    /// Lines that never carry calibration data: `ok` (with or without ADVANCED_OK fields),
    /// `echo:busy: processing` keepalives, `wait`, and temperature reports from M105 or the
    /// M155 autoreport, which Marlin interleaves with multi-line output (the bilinear grid
    /// printer does not pause them, research §1.0).
    static func isChatter(_ line: Substring) -> Bool {
        switch FirmwareReply(parsing: line) {
        case .ok, .busy, .wait, .temperature: true
        default: false
        }
    }

    /// The text after `Error:` (any case), or nil for other lines.
    static func errorMessage(_ line: Substring) -> Substring? {
        let text = trimmed(line)
        guard text.count >= 6, text.prefix(6).lowercased() == "error:" else { return nil }
        return trimmed(text.dropFirst(6))
    }

    /// Why the printer can no longer take part in a calibration, if this line says so: a
    /// thermal protection trip or a kill (`Error:Heating failed, system stopped! Heater_ID: bed`,
    /// `Error:Printer halted. kill() called!`, `temperature.cpp _temp_error`), or `start`, which
    /// Marlin prints only when the board has just reset.
    static func alarm(_ line: Substring) -> String? {
        if trimmed(line) == "start" {
            return "the printer reset (it printed `start`) in the middle of the calibration: it has forgotten whatever was not saved; check its power and USB cable"
        }
        guard let message = errorMessage(line) else { return nil }
        let lower = message.lowercased()
        let fatal = ["heating failed", "thermal runaway", "maxtemp", "mintemp", "kill() called", "printer halted", "thermal malfunction", "printer stopped"]
        guard fatal.contains(where: { lower.contains($0) }) else { return nil }
        return "the printer stopped with \"\(message)\": its heaters are off and it must be reset (M999 or the reset button) once the cause is found"
    }

    /// The command named by `echo:Unknown command: "M48 P10"`, nil for other lines.
    static func unknownCommand(_ line: Substring) -> String? {
        if case .unknownCommand(let command) = FirmwareReply(parsing: line) { return command }
        return nil
    }

    static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        var result = text
        while let first = result.first, isBlank(first) { result = result.dropFirst() }
        while let last = result.last, isBlank(last) { result = result.dropLast() }
        return result
    }
}
