import PrintEdgeControl

/// Reads the members of one command object into typed values, remembering which it was
/// asked for, so a member nobody reads is refused as the typo it almost always is (the
/// configuration's rule, applied to commands: `{"command": "pause", "jbo": 3}` must not pause
/// whatever job is printing while the sender thinks it named one).
struct FleetCommandFields {
    let command: String
    private let members: [(key: String, value: JSONValue)]
    private var known: [String] = []

    init(command: String, members: [(key: String, value: JSONValue)]) {
        self.command = command
        self.members = members
    }

    private mutating func raw(_ key: String) -> JSONValue? {
        known.append(key)
        return members.first { $0.key == key }?.value
    }

    private func wrongType(_ key: String, expected: String, found: JSONValue) -> FleetCommandError {
        FleetCommandError(.badRequest, "`\(key)` of `\(command)` must be \(expected), found \(found.typeName)", field: key)
    }

    func missing(_ key: String, meaning: String) -> FleetCommandError {
        FleetCommandError(.badRequest, "`\(command)` needs `\(key)` (\(meaning))", field: key)
    }

    func invalid(_ key: String, _ problem: String) -> FleetCommandError {
        FleetCommandError(.badRequest, "`\(key)` of `\(command)` \(problem)", field: key)
    }

    /// `null` counts as absent, as a sender serialising an unset optional writes it.
    mutating func string(_ key: String, maxCharacters: Int = 256) throws(FleetCommandError) -> String? {
        guard let value = raw(key), value != .null else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", found: value) }
        guard !text.isEmpty else { throw invalid(key, "must not be empty") }
        guard text.unicodeScalars.count <= maxCharacters else {
            throw invalid(key, "must be at most \(maxCharacters) characters, found \(text.unicodeScalars.count)")
        }
        return text
    }

    mutating func integer(_ key: String, _ range: ClosedRange<Int64>) throws(FleetCommandError) -> Int64? {
        guard let value = raw(key), value != .null else { return nil }
        guard let number = value.integer else { throw wrongType(key, expected: "an integer", found: value) }
        guard range.contains(number) else { throw invalid(key, "must be within \(range.lowerBound)…\(range.upperBound), found \(number)") }
        return number
    }

    mutating func double(_ key: String) throws(FleetCommandError) -> Double? {
        guard let value = raw(key), value != .null else { return nil }
        guard let number = value.double else { throw wrongType(key, expected: "a number", found: value) }
        return number
    }

    mutating func bool(_ key: String) throws(FleetCommandError) -> Bool? {
        guard let value = raw(key), value != .null else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, expected: "true or false", found: value) }
        return flag
    }

    mutating func strings(_ key: String, maxCount: Int) throws(FleetCommandError) -> [String]? {
        guard let value = raw(key), value != .null else { return nil }
        guard case .array(let elements) = value else { throw wrongType(key, expected: "an array of strings", found: value) }
        guard elements.count <= maxCount else { throw invalid(key, "may hold at most \(maxCount) elements, found \(elements.count)") }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                throw FleetCommandError(.badRequest, "`\(key)[\(index)]` of `\(command)` must be a string, found \(element.typeName)", field: key)
            }
            strings.append(text)
        }
        return strings
    }

    /// Fails on the first member (in payload order) that no accessor asked for.
    func rejectUnknown() throws(FleetCommandError) {
        for member in members where !known.contains(member.key) {
            let fields = known.filter { $0 != "id" && $0 != "command" }
            let list = fields.isEmpty ? "it takes no other field" : "its fields are " + fields.map { "`\($0)`" }.joined(separator: ", ")
            throw FleetCommandError(.badRequest, "`\(command)` has no field `\(member.key)`; \(list)", field: member.key)
        }
    }

    /// Marks `id` and `command` as read (the envelope reads them).
    mutating func markEnvelope() {
        known += ["id", "command"]
    }
}
