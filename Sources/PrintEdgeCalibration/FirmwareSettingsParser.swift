/// Collects `M503` / `M503 S0` output a line at a time into a `FirmwareSettings`. Everything
/// that is not a settings command is skipped: headings (`echo:; Steps per unit:`), UBL's state
/// lines, keepalives, temperature reports, `ok`.
public struct FirmwareSettingsParser: Sendable {
    public private(set) var commands: [SettingsCommand] = []
    /// Firmware errors seen meanwhile (`Error:EEPROM CRC mismatch …`), for the caller to judge.
    public private(set) var errors: [String] = []

    public init() {}

    public mutating func consume(_ line: String) {
        consume(line[...])
    }

    public mutating func consume(_ line: Substring) {
        if FirmwareText.isChatter(line) { return }
        if let message = FirmwareText.errorMessage(line) {
            errors.append(String(message))
            return
        }
        if let command = SettingsCommand(line: line) { commands.append(command) }
    }

    /// The snapshot once `M503` was acknowledged. Marlin always reports at least the steps
    /// per unit (`M92`); a report without it was cut short or never came.
    public func result() throws(CalibrationParseError) -> FirmwareSettings {
        guard !commands.isEmpty else {
            throw .missing(what: "M503", detail: "the firmware reported no settings (M503 disabled with DISABLE_M503, or a firmware that does not report them)")
        }
        guard commands.contains(where: { $0.code == "M92" }) else {
            throw .cutShort(what: "M503's settings report", detail: "it has no steps per unit line (M92), which every Marlin report carries")
        }
        return FirmwareSettings(commands: commands)
    }
}
