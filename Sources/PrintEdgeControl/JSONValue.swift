/// A JSON value read from input nobody vouches for — a fleet command, a control-socket
/// request — by a strict parser of RFC 8259.
///
/// Why not `JSONDecoder`: its errors carry no position ("The given data was not valid
/// JSON."), it keeps one of two duplicate keys silently, and it cannot tell `1` from `1.0`.
/// A sender who got a message wrong deserves to hear where; a duplicate `command` key must
/// not run whichever one a decoder prefers. Nesting is capped so no payload can exhaust the
/// stack.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written; `integer` and `double` read it.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in the order written; keys are unique in what `parse` returns (`scan` keeps
    /// a key written twice, twice).
    case object([(key: String, value: JSONValue)])

    /// Messages nest two levels at most; anything far deeper is not one.
    public static let maxDepth = 32

    /// Where and why the bytes are not JSON, or not JSON printedge takes (a key twice).
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var byteOffset: Int
        public var problem: String
        /// The key written twice, when that is the problem.
        public var duplicateKey: String?

        public init(byteOffset: Int, problem: String, duplicateKey: String? = nil) {
            self.byteOffset = byteOffset
            self.problem = problem
            self.duplicateKey = duplicateKey
        }

        public var description: String { "not valid JSON at byte \(byteOffset): \(problem)" }
    }

    /// The document in `bytes`; a key written twice in an object is refused like a syntax
    /// error.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        let scanned = try scan(bytes)
        if let duplicate = scanned.firstDuplicateKey { throw duplicate }
        return scanned.value
    }

    /// The document in `bytes`, keeping both members of a key written twice and saying where
    /// the first such key is: the caller may still read what is not in doubt before refusing
    /// (the control socket answers with the request's `id` when `id` is not the key twice).
    public static func scan(_ bytes: [UInt8]) throws(SyntaxError) -> (value: JSONValue, firstDuplicateKey: SyntaxError?) {
        var parser = Parser(bytes: bytes)
        parser.skipBlanks()
        let value = try parser.value(depth: 0)
        parser.skipBlanks()
        guard parser.offset == bytes.count else {
            throw SyntaxError(byteOffset: parser.offset, problem: "\(parser.found) after the end of the document")
        }
        return (value, parser.firstDuplicateKey)
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    /// How an error message names this value's type.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let text): integer == nil ? "a number (\(text))" : "an integer (\(text))"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as an integer, when it is written as one (no fraction, no exponent) and fits.
    public var integer: Int64? {
        guard case .number(let text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int64(text)
    }

    /// The value as a finite number.
    public var double: Double? {
        guard case .number(let text) = self, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0
        var firstDuplicateKey: SyntaxError?

        var found: String {
            guard offset < bytes.count else { return "the end of the payload" }
            let byte = bytes[offset]
            return byte >= 0x20 && byte < 0x7F ? "`\(Character(Unicode.Scalar(byte)))`" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }

        mutating func skipBlanks() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        func error(_ problem: String) -> SyntaxError { SyntaxError(byteOffset: offset, problem: problem) }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth) levels") }
            guard offset < bytes.count else { throw error("expected a value, found the end of the payload") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("expected a value, found \(found)")
            }
        }

        mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
            offset += 1
            var members: [(key: String, value: JSONValue)] = []
            skipBlanks()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipBlanks()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a key in quotes, found \(found)") }
                let keyOffset = offset
                let key = try string()
                if firstDuplicateKey == nil, members.contains(where: { $0.key == key }) {
                    firstDuplicateKey = SyntaxError(byteOffset: keyOffset, problem: "the key \"\(key)\" appears twice", duplicateKey: key)
                }
                skipBlanks()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected `:` after the key \"\(key)\", found \(found)") }
                offset += 1
                skipBlanks()
                members.append((key, try value(depth: depth + 1)))
                skipBlanks()
                guard offset < bytes.count else { throw error("expected `,` or `}`, found the end of the payload") }
                if bytes[offset] == UInt8(ascii: "}") {
                    offset += 1
                    return .object(members)
                }
                guard bytes[offset] == UInt8(ascii: ",") else { throw error("expected `,` or `}`, found \(found)") }
                offset += 1
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
            offset += 1
            var elements: [JSONValue] = []
            skipBlanks()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            }
            while true {
                skipBlanks()
                elements.append(try value(depth: depth + 1))
                skipBlanks()
                guard offset < bytes.count else { throw error("expected `,` or `]`, found the end of the payload") }
                if bytes[offset] == UInt8(ascii: "]") {
                    offset += 1
                    return .array(elements)
                }
                guard bytes[offset] == UInt8(ascii: ",") else { throw error("expected `,` or `]`, found \(found)") }
                offset += 1
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            let expected = Array(word.utf8)
            guard bytes.count - offset >= expected.count, bytes[offset..<offset + expected.count].elementsEqual(expected) else {
                throw error("expected a value, found \(found)")
            }
            offset += expected.count
        }

        mutating func number() throws(SyntaxError) -> String {
            let start = offset
            if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected a digit, found \(found)") }
            if bytes[offset] == UInt8(ascii: "0") {
                offset += 1
            } else {
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected a digit after `.`, found \(found)") }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
                guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("expected a digit in the exponent, found \(found)") }
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        mutating func string() throws(SyntaxError) -> String {
            offset += 1
            var scalars = String.UnicodeScalarView()
            while true {
                guard offset < bytes.count else { throw error("a string is not closed: expected `\"`, found the end of the payload") }
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "\""):
                    offset += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    scalars.append(try escape())
                case 0..<0x20:
                    throw error("a control character (\(found)) inside a string must be escaped")
                default:
                    scalars.append(try utf8Scalar())
                }
            }
        }

        mutating func escape() throws(SyntaxError) -> Unicode.Scalar {
            offset += 1
            guard offset < bytes.count else { throw error("expected an escape after `\\`, found the end of the payload") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let high = try hexQuad()
                if (0xD800..<0xDC00).contains(high) {
                    guard bytes.count - offset >= 2, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                        throw error("a high surrogate (\\u\(String(high, radix: 16))) must be followed by a low one")
                    }
                    offset += 2
                    let low = try hexQuad()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("\\u\(String(low, radix: 16)) is not a low surrogate") }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                }
                guard let scalar = Unicode.Scalar(high) else { throw error("\\u\(String(high, radix: 16)) is a lone low surrogate") }
                return scalar
            default:
                offset -= 1
                throw error("\(found) is not an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
            }
        }

        mutating func hexQuad() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard offset < bytes.count, let digit = hexValue(bytes[offset]) else { throw error("expected 4 hex digits after \\u, found \(found)") }
                value = value << 4 | digit
                offset += 1
            }
            return value
        }

        /// One UTF-8 encoded scalar, refusing overlong forms, surrogates and truncation.
        mutating func utf8Scalar() throws(SyntaxError) -> Unicode.Scalar {
            let lead = bytes[offset]
            let (length, minimum, initial): (Int, UInt32, UInt32) =
                switch lead {
                case 0..<0x80: (1, 0, UInt32(lead))
                case 0xC2..<0xE0: (2, 0x80, UInt32(lead & 0x1F))
                case 0xE0..<0xF0: (3, 0x800, UInt32(lead & 0x0F))
                case 0xF0..<0xF5: (4, 0x10000, UInt32(lead & 0x07))
                default: (0, 0, 0)
                }
            guard length > 0, bytes.count - offset >= length else { throw error("\(found) is not UTF-8") }
            var value = initial
            for index in 1..<length {
                let byte = bytes[offset + index]
                guard byte & 0xC0 == 0x80 else { throw error("\(found) starts a UTF-8 sequence that breaks off") }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            guard value >= minimum, let scalar = Unicode.Scalar(value) else { throw error("\(found) starts an invalid UTF-8 sequence") }
            offset += length
            return scalar
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
    }
}

extension JSONValue {
    /// Compact JSON, members in the order given (replies list `id` first for a human reader).
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .number(let text): out += Array(text.utf8)
        case .string(let text): Self.writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case "\\": out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case "\n": out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case "\r": out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case "\t": out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: out += Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A number member from a Swift integer.
    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }

    /// A number member from a Swift double; `null` for a non-finite one, which JSON cannot hold.
    public static func double(_ value: Double) -> JSONValue { value.isFinite ? .number(String(value)) : .null }
}
