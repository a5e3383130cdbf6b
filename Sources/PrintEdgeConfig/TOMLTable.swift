/// A TOML table: its keys in the order they were written, each with where the key itself
/// stands (for "unknown key" and "duplicate key") besides where its value starts.
public struct TOMLTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var keyPosition: SourcePosition
        public var value: TOMLValue

        public init(key: String, keyPosition: SourcePosition, value: TOMLValue) {
            self.key = key
            self.keyPosition = keyPosition
            self.value = value
        }
    }

    public private(set) var entries: [Entry] = []
    private var indexByKey: [String: Int] = [:]

    public init() {}

    /// Builds a table from entries whose keys are distinct (the parser has checked that).
    init(entries: [Entry]) {
        for entry in entries { append(entry) }
    }

    public var keys: [String] { entries.map(\.key) }

    public var isEmpty: Bool { entries.isEmpty }

    public subscript(key: String) -> TOMLValue? { entry(key)?.value }

    public func entry(_ key: String) -> Entry? {
        indexByKey[key].map { entries[$0] }
    }

    private mutating func append(_ entry: Entry) {
        precondition(indexByKey[entry.key] == nil, "TOMLTable: key \(entry.key) appended twice; the parser rejects duplicates first")
        indexByKey[entry.key] = entries.count
        entries.append(entry)
    }
}
