/// Collects `M503` / `M503 S0` output a line at a time into a `FirmwareSettings`. Everything
/// that is not a settings command is skipped: headings (`echo:; Steps per unit:`), UBL's state
/// lines, keepalives, temperature reports, `ok`.
public struct FirmwareSettingsParser: Sendable {
    public private(set) var commands: [SettingsCommand] = []
    /// The first line that looked like a setting but did not read as one.
    private var damaged: String?

    public init() {}

    public mutating func consume(_ line: String) {
        consume(line[...])
    }

    public mutating func consume(_ line: Substring) {
        if FirmwareText.isChatter(line) { return }
        // Errors (`Error:EEPROM CRC mismatch …`) are for the command's caller to judge.
        if FirmwareText.errorMessage(line) != nil { return }
        if let command = SettingsCommand(line: line) {
            commands.append(command)
        } else if damaged == nil, Self.looksLikeCommand(line) {
            damaged = String(FirmwareText.body(line))
        }
    }

    /// `M92 X80…`, `G29 W…`: a letter, digits and a blank; a backup must not lose such a line.
    private static func looksLikeCommand(_ line: Substring) -> Bool {
        let text = FirmwareText.body(line)
        guard let first = text.first, first == "M" || first == "G" else { return false }
        let digits = text.dropFirst().prefix { $0.isASCII && $0.isNumber }
        return !digits.isEmpty && (text.dropFirst(digits.count + 1).first.map { $0 == " " } ?? true)
    }

    /// The snapshot once `M503` was acknowledged. Marlin always reports at least the steps
    /// per unit (`M92`); a report without it was cut short or never came.
    public func result() throws(CalibrationParseError) -> FirmwareSettings {
        if let damaged {
            throw .unreadable(what: "M503's settings report", line: damaged, detail: "a settings line holds something other than letters with numbers")
        }
        guard !commands.isEmpty else {
            throw .missing(what: "M503", detail: "the firmware reported no settings (M503 disabled with DISABLE_M503, or a firmware that does not report them)")
        }
        guard commands.contains(where: { $0.code == "M92" }) else {
            throw .cutShort(what: "M503's settings report", detail: "it has no steps per unit line (M92), which every Marlin report carries")
        }
        return FirmwareSettings(commands: commands)
    }
}
