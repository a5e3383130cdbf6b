/// Turns TOML v1.0 text into a `TOMLTable`, keeping the position of every key and value
/// and refusing, with the line and column, everything the specification refuses.
///
/// This file holds the document's structure: lines, comments, keys, `[table]` and
/// `[[array.of.tables]]` headers, and TOML's rules on which table may be extended from
/// where. Values (strings, numbers, arrays, inline tables) are in `TOMLParser+Values.swift`.
/// The parser works on UTF-8 bytes; positions are turned into columns only when needed.
struct TOMLParser {
    struct KeyPart {
        var name: String
        var position: SourcePosition
    }

    let file: String
    let bytes: [UInt8]
    var index = 0
    var line = 1
    /// Byte offset where the current line starts, for columns.
    var lineStart = 0
    private let root: TOMLTableBuilder
    /// The table the last header opened; key/value lines go there.
    private var current: TOMLTableBuilder
    /// The current header's key, for messages and for keys inside inline tables.
    private var currentPath: [String] = []

    init(text: String, file: String) {
        self.file = file
        bytes = Array(text.utf8)
        // A UTF-8 byte order mark is not text: skip it, and count columns after it.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
        root = TOMLTableBuilder(origin: .header, position: SourcePosition(line: 1, column: 1))
        current = root
    }

    mutating func parse() throws(ConfigurationError) -> TOMLTable {
        while index < bytes.count {
            skipWhitespace()
            if peek() == UInt8(ascii: "#") {
                try skipComment()
            } else if peek() == UInt8(ascii: "[") {
                try parseTableHeader()
                try expectLineEnd(after: "the table header")
            } else if !isAtLineEnd {
                try parseKeyValue(into: current, path: currentPath)
                try expectLineEnd(after: "the value")
            }
            if index < bytes.count && !consumeNewline() {
                throw failure(.syntax, "expected a new line, found \(describeNext())")
            }
        }
        return root.build()
    }

    // MARK: - Cursor

    func peek(_ offset: Int = 0) -> UInt8? {
        let target = index + offset
        return target < bytes.count ? bytes[target] : nil
    }

    var position: SourcePosition { SourcePosition(line: line, column: column(at: index)) }

    private func column(at offset: Int) -> Int {
        var column = 1
        var scan = lineStart
        while scan < offset && scan < bytes.count {
            if bytes[scan] & 0xC0 != 0x80 { column += 1 }
            scan += 1
        }
        return column
    }

    /// At a line feed, a CR LF pair, or the end of the text.
    var isAtLineEnd: Bool {
        guard let byte = peek() else { return true }
        return byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n"))
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    /// Consumes a LF or CR LF and starts a new line; false when there is none here.
    mutating func consumeNewline() -> Bool {
        if peek() == UInt8(ascii: "\n") {
            index += 1
        } else if peek() == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") {
            index += 2
        } else {
            return false
        }
        line += 1
        lineStart = index
        return true
    }

    /// White space, newlines and comments, as allowed between the elements of an array.
    mutating func skipBlankLinesAndComments() throws(ConfigurationError) {
        while true {
            skipWhitespace()
            if peek() == UInt8(ascii: "#") { try skipComment() }
            if !consumeNewline() { return }
        }
    }

    /// Skips a `#` comment up to (not including) its line end.
    mutating func skipComment() throws(ConfigurationError) {
        index += 1
        while !isAtLineEnd, let byte = peek() {
            if Self.isControl(byte) {
                throw failure(.syntax, "control character \(Self.codePoint(byte)) in a comment; remove it")
            }
            index += 1
        }
    }

    private mutating func expectLineEnd(after what: String) throws(ConfigurationError) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") {
            try skipComment()
            return
        }
        guard isAtLineEnd else {
            throw failure(
                .syntax,
                "expected the end of the line after \(what), found \(describeNext()); each `key = value` and each [table] goes on its own line, and a comment starts with #")
        }
    }

    // MARK: - Keys

    /// A bare, quoted or dotted key (`a`, `"a b"`, `a.'b'.c`).
    mutating func parseKey() throws(ConfigurationError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            skipWhitespace()
            let start = position
            guard let byte = peek(), !isAtLineEnd else {
                throw failure(.syntax, "expected a key, found \(describeNext())")
            }
            let name: String
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                if peek(1) == byte && peek(2) == byte {
                    throw failure(.syntax, "a multi-line string cannot be a key; use a \"quoted key\" on one line")
                }
                name = byte == UInt8(ascii: "\"") ? try parseBasicString() : try parseLiteralString()
            } else if Self.isBareKeyByte(byte) {
                let first = index
                while let next = peek(), Self.isBareKeyByte(next) { index += 1 }
                name = String(decoding: bytes[first..<index], as: UTF8.self)
            } else {
                throw failure(
                    .syntax, "expected a key (letters, digits, `_` and `-`, or a \"quoted key\"), found \(describeNext())")
            }
            parts.append(KeyPart(name: name, position: start))
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return parts }
            index += 1
        }
    }

    /// `key = value` into `table`, whose own key is `path`.
    mutating func parseKeyValue(into table: TOMLTableBuilder, path: [String]) throws(ConfigurationError) {
        let key = try parseKey()
        let written = Self.display(key.map(\.name))
        skipWhitespace()
        guard peek() == UInt8(ascii: "=") else {
            if isAtLineEnd || peek() == UInt8(ascii: "#") {
                throw failure(.syntax, "key `\(written)` has no value; write `\(written) = <value>`")
            }
            throw failure(.syntax, "expected `=` after the key `\(written)`, found \(describeNext())")
        }
        index += 1
        skipWhitespace()
        let value = try parseValue(path: path + key.map(\.name))
        try insert(value, key: key, into: table, path: path)
    }

    /// Adds a value under a possibly dotted key, creating the tables the dots imply.
    private func insert(_ value: TOMLValue, key: [KeyPart], into table: TOMLTableBuilder, path: [String]) throws(ConfigurationError) {
        var target = table
        var walked = path
        for part in key.dropLast() {
            walked.append(part.name)
            guard let slot = target[part.name] else {
                let child = TOMLTableBuilder(origin: .dotted, position: part.position)
                target[part.name] = .init(keyPosition: part.position, node: .table(child))
                target = child
                continue
            }
            if case .table(let child) = slot.node, child.origin == .dotted {
                target = child
                continue
            }
            let name = Self.display(walked)
            throw failure(
                .duplicateKey,
                "cannot add keys to `\(name)` with dotted keys: it is already \(Self.describe(slot.node)) (line \(slot.keyPosition.line)); dotted keys only extend tables they created themselves, so write the key under a [\(name)] header",
                at: part.position, key: walked)
        }
        guard let last = key.last else { preconditionFailure("parseKey returned no key parts") }
        walked.append(last.name)
        if let existing = target[last.name] {
            throw failure(
                .duplicateKey,
                "duplicate key `\(Self.display(walked))`: it is already defined at line \(existing.keyPosition.line), column \(existing.keyPosition.column); remove one of them",
                at: last.position, key: walked)
        }
        target[last.name] = .init(keyPosition: last.position, node: .value(value))
    }

    // MARK: - Table headers

    /// `[a.b]` or `[[a.b]]`: finds or creates the table and makes it the current one.
    private mutating func parseTableHeader() throws(ConfigurationError) {
        let start = position
        index += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { index += 1 }
        let key = try parseKey()
        let names = key.map(\.name)
        let header = isArray ? "[[\(Self.display(names))]]" : "[\(Self.display(names))]"
        guard peek() == UInt8(ascii: "]") && (!isArray || peek(1) == UInt8(ascii: "]")) else {
            throw failure(.syntax, "expected `\(isArray ? "]]" : "]")` to close the header \(header), found \(describeNext())")
        }
        index += isArray ? 2 : 1

        var target = root
        var walked: [String] = []
        for part in key.dropLast() {
            walked.append(part.name)
            guard let slot = target[part.name] else {
                let child = TOMLTableBuilder(origin: .implicit, position: part.position)
                target[part.name] = .init(keyPosition: part.position, node: .table(child))
                target = child
                continue
            }
            switch slot.node {
            case .table(let child):
                target = child
            case .tableArray(let tables, _):
                guard let element = tables.last else { preconditionFailure("an array of tables without elements") }
                target = element
            case .value(let value):
                throw failure(
                    .duplicateKey,
                    "cannot open \(header): `\(Self.display(walked))` is already a \(value.typeName) (line \(slot.keyPosition.line))",
                    at: part.position, key: walked)
            }
        }
        guard let last = key.last else { preconditionFailure("parseKey returned no key parts") }
        walked.append(last.name)
        current = try isArray
            ? appendArrayElement(named: last, in: target, header: header, at: start, walked: walked)
            : defineTable(named: last, in: target, header: header, at: start, walked: walked)
        currentPath = walked
    }

    private func defineTable(
        named key: KeyPart, in parent: TOMLTableBuilder, header: String, at start: SourcePosition, walked: [String]
    ) throws(ConfigurationError) -> TOMLTableBuilder {
        guard let slot = parent[key.name] else {
            let table = TOMLTableBuilder(origin: .header, position: start)
            parent[key.name] = .init(keyPosition: key.position, node: .table(table))
            return table
        }
        if case .table(let table) = slot.node, table.origin == .implicit {
            // `[a.b]` came first and implied `a`; `[a]` now defines it, once.
            table.origin = .header
            table.position = start
            parent[key.name] = .init(keyPosition: key.position, node: .table(table))
            return table
        }
        let message: String
        switch slot.node {
        case .table(let table) where table.origin == .header:
            message = "table \(header) is defined twice; the first \(header) is at line \(table.position.line): merge the two"
        case .tableArray:
            message = "\(header) is already an array of tables (line \(slot.keyPosition.line)); write [\(header)] to add an element"
        default:
            message = "cannot open \(header): `\(Self.display(walked))` is already \(Self.describe(slot.node)) (line \(slot.keyPosition.line))"
        }
        throw failure(.duplicateKey, message, at: start, key: walked)
    }

    private func appendArrayElement(
        named key: KeyPart, in parent: TOMLTableBuilder, header: String, at start: SourcePosition, walked: [String]
    ) throws(ConfigurationError) -> TOMLTableBuilder {
        let table = TOMLTableBuilder(origin: .header, position: start)
        guard let slot = parent[key.name] else {
            parent[key.name] = .init(keyPosition: key.position, node: .tableArray([table], start))
            return table
        }
        guard case .tableArray(let tables, let first) = slot.node else {
            throw failure(
                .duplicateKey,
                "cannot open \(header): `\(Self.display(walked))` is already \(Self.describe(slot.node)) (line \(slot.keyPosition.line)), not an array of tables",
                at: start, key: walked)
        }
        parent[key.name] = .init(keyPosition: slot.keyPosition, node: .tableArray(tables + [table], first))
        return table
    }

    // MARK: - Messages

    func failure(
        _ kind: ConfigurationError.Kind, _ message: String, at position: SourcePosition? = nil, key: [String]? = nil
    ) -> ConfigurationError {
        ConfigurationError(kind: kind, file: file, position: position ?? self.position, key: key.map(Self.display), message: message)
    }

    /// What is at the cursor, for "expected …, found …".
    func describeNext() -> String {
        guard let byte = peek() else { return "the end of the file" }
        if isAtLineEnd { return "the end of the line" }
        if Self.isControl(byte) { return "control character \(Self.codePoint(byte))" }
        let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        let character = String(decoding: bytes[index..<min(bytes.count, index + length)], as: UTF8.self)
        return character == "`" ? "a backtick" : "`\(character)`"
    }

    /// A key as it would be written: bare parts as they are, others quoted.
    static func display(_ names: [String]) -> String {
        names.map { name in
            !name.isEmpty && name.utf8.allSatisfy(isBareKeyByte) ? name : "\"\(name)\""
        }.joined(separator: ".")
    }

    private static func describe(_ node: TOMLTableBuilder.Node) -> String {
        switch node {
        case .value(let value): "a \(value.typeName)"
        case .table(let table) where table.origin == .dotted: "a table made by dotted keys"
        case .table: "a table"
        case .tableArray: "an array of tables"
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// Control characters TOML forbids in strings and comments (tab is allowed).
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    static func codePoint(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
