/// One difference between two settings snapshots: a value that changed, or a command only one
/// of them has. Commands are matched by code and identity words (`M92 T1`, `G29 W I0 J2`),
/// then by order among equals; values compare as numbers, so `80.00` and `80.0` are the same.
public struct SettingsDifference: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Change: String, Codable, Sendable {
        case changed
        case added
        case removed
    }

    public var change: Change
    /// The command and identity words, e.g. `M92`, `M301 E1`, `G29 W I0 J2`.
    public var command: String
    /// The changed word's letter, for `changed`.
    public var parameter: String?
    /// The old value (or whole line, for `removed`).
    public var before: String?
    /// The new value (or whole line, for `added`).
    public var after: String?

    public init(change: Change, command: String, parameter: String? = nil, before: String? = nil, after: String? = nil) {
        self.change = change
        self.command = command
        self.parameter = parameter
        self.before = before
        self.after = after
    }

    public var description: String {
        switch change {
        case .changed: "\(command) \(parameter ?? ""): \(before ?? "(none)") → \(after ?? "(none)")"
        case .added: "+ \(after ?? command)"
        case .removed: "- \(before ?? command)"
        }
    }
}

extension FirmwareSettings {
    /// What changed from `self` (older) to `newer`, in `newer`'s order with removals last.
    public func differences(to newer: FirmwareSettings) -> [SettingsDifference] {
        let old = Self.keyed(commands)
        let new = Self.keyed(newer.commands)
        let oldByKey = Dictionary(old.map { ($0.key, $0.command) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(new.map(\.key))
        var differences: [SettingsDifference] = []
        for (key, command) in new {
            guard let before = oldByKey[key] else {
                differences.append(SettingsDifference(change: .added, command: command.identity, after: command.description))
                continue
            }
            differences += Self.valueChanges(from: before, to: command)
        }
        for (key, command) in old where !newKeys.contains(key) {
            differences.append(SettingsDifference(change: .removed, command: command.identity, before: command.description))
        }
        return differences
    }

    /// Each command with its identity and its rank among commands of the same identity.
    private static func keyed(_ commands: [SettingsCommand]) -> [(key: String, command: SettingsCommand)] {
        var seen: [String: Int] = [:]
        return commands.map { command in
            let identity = command.identity
            let rank = seen[identity, default: 0]
            seen[identity] = rank + 1
            return (rank == 0 ? identity : "\(identity) #\(rank + 1)", command)
        }
    }

    private static func valueChanges(from before: SettingsCommand, to after: SettingsCommand) -> [SettingsDifference] {
        let identity = after.identityLetters
        var letters: [Character] = []
        for parameter in after.parameters + before.parameters where !identity.contains(parameter.letter) && !letters.contains(parameter.letter) {
            letters.append(parameter.letter)
        }
        return letters.compactMap { letter in
            let old = before.parameter(letter)
            let new = after.parameter(letter)
            if let old, let new, old.text == new.text || (old.number != nil && old.number == new.number) { return nil }
            return SettingsDifference(change: .changed, command: after.identity, parameter: String(letter), before: old?.text, after: new?.text)
        }
    }
}
