/// Reads one TOML table into typed values, remembering every key it was asked for, so that
/// whatever is left unread afterwards is reported as the typo it almost always is (Klipper's
/// rule: an unread option fails the load).
///
/// Every accessor names the key in its error with the table's dotted path
/// (`printer.baud`) and points at the value, or at the table when the key is missing.
struct TableReader {
    let file: String
    let table: TOMLTable
    /// The table's dotted key, empty at the top level.
    let path: String
    /// How a sentence names this table: "[daemon]", "the [[printer]] at line 12".
    var title: String
    /// Where the table starts; `nil` for the top level and for an absent table.
    let position: SourcePosition?
    /// Whether the table is written in the file at all (an absent one reads as empty).
    let exists: Bool
    private(set) var knownKeys: [String] = []

    /// The top level of a document.
    init(document: TOMLDocument) {
        self.init(file: document.file, table: document.root, path: "", title: "the top level", position: nil, exists: true)
    }

    private init(file: String, table: TOMLTable, path: String, title: String, position: SourcePosition?, exists: Bool) {
        self.file = file
        self.table = table
        self.path = path
        self.title = title
        self.position = position
        self.exists = exists
    }

    func dotted(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: - Values

    mutating func optional<Value: TOMLDecodable>(
        _ key: String, _ constraint: ValueConstraint<Value>? = nil
    ) throws(ConfigurationError) -> Value? {
        knownKeys.append(key)
        guard let raw = table[key] else { return nil }
        let value: Value
        switch Value.decode(raw) {
        case .success(let decoded):
            value = decoded
        case .failure(let mismatch):
            throw ConfigurationError(
                kind: .wrongType, file: file, position: mismatch.position, key: dotted(key),
                message: "key `\(dotted(key))` must be \(Value.expectation), found \(mismatch.found)")
        }
        if let problem = constraint?.problem(value) {
            throw invalid(key, "key `\(dotted(key))` \(problem)")
        }
        return value
    }

    mutating func value<Value: TOMLDecodable>(
        _ key: String, default defaultValue: Value, _ constraint: ValueConstraint<Value>? = nil
    ) throws(ConfigurationError) -> Value {
        try optional(key, constraint) ?? defaultValue
    }

    /// A key that must be present; `meaning` tells the user what to write there.
    mutating func required<Value: TOMLDecodable>(
        _ key: String, _ constraint: ValueConstraint<Value>? = nil, meaning: String
    ) throws(ConfigurationError) -> Value {
        guard let value = try optional(key, constraint) else { throw missing(key, meaning: meaning) }
        return value
    }

    /// A string from a fixed vocabulary (`flow = "window"`), parsed by `parse`.
    mutating func optionalChoice<Value>(
        _ key: String, choices: [String], parse: (String) -> Value?
    ) throws(ConfigurationError) -> Value? {
        guard let text: String = try optional(key) else { return nil }
        if let value = parse(text) { return value }
        let hint = KeySuggestion.closest(to: text, among: choices).map { "; did you mean \"\($0)\"?" } ?? ""
        throw invalid(
            key, "key `\(dotted(key))` must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), found \"\(text)\"\(hint)")
    }

    // MARK: - Tables

    /// The sub-table `key`, or an empty one when absent (so its defaults apply).
    mutating func table(_ key: String) throws(ConfigurationError) -> TableReader {
        try optionalTable(key)
            ?? TableReader(file: file, table: TOMLTable(), path: dotted(key), title: "[\(dotted(key))]", position: nil, exists: false)
    }

    mutating func optionalTable(_ key: String) throws(ConfigurationError) -> TableReader? {
        knownKeys.append(key)
        guard let raw = table[key] else { return nil }
        guard case .table(let subtable) = raw.content else {
            throw ConfigurationError(
                kind: .wrongType, file: file, position: raw.position, key: dotted(key),
                message: "key `\(dotted(key))` must be a table ([\(dotted(key))]), found \(raw.typeName)")
        }
        return TableReader(file: file, table: subtable, path: dotted(key), title: "[\(dotted(key))]", position: raw.position, exists: true)
    }

    /// The elements of an array of tables (`[[printer]]`), empty when absent.
    mutating func tables(_ key: String) throws(ConfigurationError) -> [TableReader] {
        knownKeys.append(key)
        guard let raw = table[key] else { return [] }
        let name = dotted(key)
        guard case .array(let elements) = raw.content else {
            let hint = raw.typeName == "table" ? " (write [[\(name)]] with double brackets: there may be several)" : ""
            throw ConfigurationError(
                kind: .wrongType, file: file, position: raw.position, key: name,
                message: "key `\(name)` must be an array of tables ([[\(name)]]), found \(raw.typeName)\(hint)")
        }
        var readers: [TableReader] = []
        for element in elements {
            guard case .table(let subtable) = element.content else {
                throw ConfigurationError(
                    kind: .wrongType, file: file, position: element.position, key: name,
                    message: "key `\(name)` must be an array of tables ([[\(name)]]), found an array holding a \(element.typeName)")
            }
            readers.append(
                TableReader(
                    file: file, table: subtable, path: name, title: "the [[\(name)]] at line \(element.position.line)",
                    position: element.position, exists: true))
        }
        return readers
    }

    // MARK: - Errors

    /// Where the value of `key` starts, if the key is written.
    func position(of key: String) -> SourcePosition? { table[key]?.position }

    /// A value that has the right type but cannot be used; points at the value, or at the
    /// table when the key is absent.
    func invalid(_ key: String, _ message: String, kind: ConfigurationError.Kind = .invalidValue) -> ConfigurationError {
        ConfigurationError(kind: kind, file: file, position: position(of: key) ?? position, key: dotted(key), message: message)
    }

    func missing(_ key: String, meaning: String) -> ConfigurationError {
        var message =
            exists
            ? "\(title) is missing the required key `\(key)` (\(meaning))"
            : "the table [\(path)] is missing; it needs the key `\(key)` (\(meaning))"
        let unread = table.entries.filter { !knownKeys.contains($0.key) }
        if let typo = KeySuggestion.closest(to: key, among: unread.map(\.key)), let entry = table.entry(typo) {
            message += "; `\(typo)` at line \(entry.keyPosition.line) looks like a misspelling of it"
        }
        return ConfigurationError(kind: .missingKey, file: file, position: position, key: dotted(key), message: message)
    }

    /// Fails on the first key (in file order) that no accessor asked for.
    func rejectUnknownKeys() throws(ConfigurationError) {
        for entry in table.entries where !knownKeys.contains(entry.key) {
            let name = dotted(entry.key)
            let brackets: (open: String, close: String)? =
                switch entry.value.content {
                case .table: ("[", "]")
                case .array(let elements) where !elements.isEmpty && elements.allSatisfy(\.isTable): ("[[", "]]")
                default: nil
                }
            var message = brackets.map { "unknown table \($0.open)\(name)\($0.close)" } ?? "unknown key `\(name)` in \(title)"
            if let suggestion = KeySuggestion.closest(to: entry.key, among: knownKeys) {
                message += brackets.map { "; did you mean \($0.open)\(dotted(suggestion))\($0.close)?" } ?? "; did you mean `\(suggestion)`?"
            } else {
                message += "; the keys here are \(knownKeys.map { "`\($0)`" }.joined(separator: ", "))"
            }
            throw ConfigurationError(kind: .unknownKey, file: file, position: entry.keyPosition, key: name, message: message)
        }
    }
}
