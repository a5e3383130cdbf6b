/// A printer's configuration as `M503 S0` reports it: the firmware's own replayable G-code, in
/// its order. Backup, diff and restore work on this; the readback after `M500` proves a save.
///
/// `M503 S0` ("for replay", `settings.report(true)`) prints no headings and no `echo:`
/// (research §1.2); plain `M503` output is normalised to the same lines. Commands are keyed by
/// their `M<code>` and identity words, never by headings, which changed in 2021 ("Standardize
/// G-code reporting") and differ between builds.
///
/// Encoded as `{"lines": ["G21", "M149 C", "M92 X80.00 …"]}`, which is also what a restore
/// replays.
public struct FirmwareSettings: Sendable, Equatable, Codable {
    public var commands: [SettingsCommand]

    public init(commands: [SettingsCommand]) {
        self.commands = commands
    }

    /// Reads stored or saved text, one command a line; blank lines and `;` comments are
    /// skipped. Throws on a line that is not a settings command, naming it.
    public init(replayText: String) throws(CalibrationParseError) {
        var commands: [SettingsCommand] = []
        for (index, line) in replayText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let body = FirmwareText.trimmed(line)
            if body.isEmpty || body.hasPrefix(";") { continue }
            guard let command = SettingsCommand(line: body) else {
                throw .unreadable(what: "settings line \(index + 1)", line: String(body), detail: "a settings line is G-code such as `M92 X80.00 E93.00`")
            }
            commands.append(command)
        }
        self.commands = commands
    }

    /// One command a line, ready to save or replay.
    public var replayText: String {
        commands.map { $0.description + "\n" }.joined()
    }

    /// The lines with this code, in order.
    public func commands(_ code: String) -> [SettingsCommand] {
        commands.filter { $0.code == code }
    }

    /// The value of `letter` on the first `code` line that carries it and whose `selector`
    /// words match; failing that, on the first line that has no selector words at all (a
    /// single-hotend `M301 P…` is hotend 0's, a plain `M92 E…` extruder 0's).
    public func value(_ code: String, _ letter: Character, where selector: [Character: String] = [:]) -> SettingsCommand.Parameter? {
        let candidates = commands.filter { $0.code == code && $0.parameter(letter) != nil }
        let exact = candidates.first { command in
            selector.allSatisfy { key, wanted in command.parameter(key)?.number == DecimalNumber(wanted[...])?.value }
        }
        let unselected = candidates.first { command in selector.keys.allSatisfy { command.parameter($0) == nil } }
        return (exact ?? unselected)?.parameter(letter)
    }

    enum CodingKeys: String, CodingKey {
        case lines
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let lines = try container.decode([String].self, forKey: .lines)
        var commands: [SettingsCommand] = []
        for line in lines {
            guard let command = SettingsCommand(line: line[...]) else {
                throw DecodingError.dataCorruptedError(forKey: .lines, in: container, debugDescription: "\"\(line)\" is not a settings command")
            }
            commands.append(command)
        }
        self.commands = commands
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(commands.map(\.description), forKey: .lines)
    }
}
