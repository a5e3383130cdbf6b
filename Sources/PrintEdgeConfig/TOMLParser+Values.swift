/// TOML values: the four kinds of string, numbers, booleans, arrays and inline tables.
extension TOMLParser {
    /// The value at the cursor; `path` is its key, for messages from inside inline tables.
    mutating func parseValue(path: [String]) throws(ConfigurationError) -> TOMLValue {
        let start = position
        guard let byte = peek(), !isAtLineEnd else {
            throw failure(.syntax, "expected a value, found \(describeNext())")
        }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let literal = byte == UInt8(ascii: "'")
            if peek(1) == byte && peek(2) == byte {
                let (text, textPosition) = try parseMultiLineString(literal: literal)
                return TOMLValue(.string(text), at: start, textPosition: textPosition)
            }
            let text = literal ? try parseLiteralString() : try parseBasicString()
            return TOMLValue(.string(text), at: start, textPosition: SourcePosition(line: start.line, column: start.column + 1))
        case UInt8(ascii: "["):
            return try parseArray(path: path)
        case UInt8(ascii: "{"):
            return try parseInlineTable(path: path)
        case UInt8(ascii: "#"):
            throw failure(.syntax, "expected a value, found a # comment")
        default:
            return try parseBareValue()
        }
    }

    // MARK: - Strings

    /// `"basic"`: escapes, one line.
    mutating func parseBasicString() throws(ConfigurationError) -> String {
        let start = position
        index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek(), !isAtLineEnd else { throw unterminatedString(at: start, quote: "\"") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &text)
            default:
                try appendStringByte(byte, to: &text)
            }
        }
    }

    /// `'literal'`: no escapes, one line.
    mutating func parseLiteralString() throws(ConfigurationError) -> String {
        let start = position
        index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek(), !isAtLineEnd else { throw unterminatedString(at: start, quote: "'") }
            if byte == UInt8(ascii: "'") {
                index += 1
                return String(decoding: text, as: UTF8.self)
            }
            try appendStringByte(byte, to: &text)
        }
    }

    /// `"""basic"""` or `'''literal'''` over several lines: a newline right after the
    /// opening delimiter is dropped, CR LF becomes LF, and in basic ones a backslash at the
    /// end of a line joins it to the next (dropping the leading white space there).
    mutating func parseMultiLineString(literal: Bool) throws(ConfigurationError) -> (text: String, textPosition: SourcePosition) {
        let start = position
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        let delimiter = literal ? "'''" : "\"\"\""
        index += 3
        _ = consumeNewline()
        let textPosition = position
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw failure(
                    .syntax, "unterminated multi-line string: add the closing \(delimiter) for the one opened here",
                    at: start)
            }
            if byte == quote {
                var run = 0
                while peek(run) == quote { run += 1 }
                if run >= 3 {
                    guard run <= 5 else {
                        throw failure(
                            .syntax,
                            "\(run) quotes in a row end this multi-line string with \(run - 3) left over; at most two may stand before the closing \(delimiter)\(literal ? "" : " (escape the others as \\\")")")
                    }
                    text.append(contentsOf: repeatElement(quote, count: run - 3))
                    index += run
                    return (String(decoding: text, as: UTF8.self), textPosition)
                }
                text.append(contentsOf: repeatElement(quote, count: run))
                index += run
            } else if isAtLineEnd {
                text.append(UInt8(ascii: "\n"))
                _ = consumeNewline()
            } else if byte == UInt8(ascii: "\\") && !literal {
                if isAtLineEndingBackslash {
                    index += 1
                    while true {
                        skipWhitespace()
                        if !consumeNewline() { break }
                    }
                } else {
                    try parseEscape(into: &text)
                }
            } else {
                try appendStringByte(byte, to: &text)
            }
        }
    }

    /// A backslash followed only by white space up to the end of the line.
    private var isAtLineEndingBackslash: Bool {
        var offset = 1
        while let byte = peek(offset), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { offset += 1 }
        return peek(offset) == UInt8(ascii: "\n") || (peek(offset) == UInt8(ascii: "\r") && peek(offset + 1) == UInt8(ascii: "\n"))
    }

    private mutating func appendStringByte(_ byte: UInt8, to text: inout [UInt8]) throws(ConfigurationError) {
        if Self.isControl(byte) {
            throw failure(
                .syntax, "control character \(Self.codePoint(byte)) in a string; write it as an escape such as \\t or \\u0007")
        }
        text.append(byte)
        index += 1
    }

    private func unterminatedString(at start: SourcePosition, quote: String) -> ConfigurationError {
        failure(
            .syntax,
            "unterminated string: add the closing \(quote) before the end of the line (text over several lines goes between \(quote)\(quote)\(quote) and \(quote)\(quote)\(quote))",
            at: start)
    }

    /// A backslash escape in a basic string.
    private mutating func parseEscape(into text: inout [UInt8]) throws(ConfigurationError) {
        let start = position
        index += 1
        guard let letter = peek(), !isAtLineEnd else {
            throw failure(.syntax, "a backslash ends the line inside a one-line string; write \\\\ for a backslash", at: start)
        }
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "u"), UInt8(ascii: "U"): simple = nil
        default:
            throw failure(
                .syntax,
                "bad escape \\\(describeNext().trimmingBackticks) in a string: the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX and \\UXXXXXXXX; for a backslash write \\\\, or use a 'literal string' where backslashes are plain",
                at: start)
        }
        index += 1
        if let simple {
            text.append(simple)
            return
        }
        let digitCount = letter == UInt8(ascii: "u") ? 4 : 8
        var value: UInt32 = 0
        for _ in 0..<digitCount {
            guard let digit = peek().flatMap(Self.hexDigitValue) else {
                throw failure(
                    .syntax, "bad escape: \\\(letter == UInt8(ascii: "u") ? "u" : "U") needs exactly \(digitCount) hexadecimal digits",
                    at: start)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw failure(.syntax, "bad escape: U+\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar value", at: start)
        }
        Unicode.UTF8.encode(scalar) { text.append($0) }
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Arrays and inline tables

    private mutating func parseArray(path: [String]) throws(ConfigurationError) -> TOMLValue {
        let start = position
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipBlankLinesAndComments()
            guard let byte = peek() else { throw unterminatedArray(at: start) }
            if byte == UInt8(ascii: "]") {
                index += 1
                return TOMLValue(.array(elements), at: start)
            }
            elements.append(try parseValue(path: path))
            try skipBlankLinesAndComments()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return TOMLValue(.array(elements), at: start)
            case nil:
                throw unterminatedArray(at: start)
            default:
                throw failure(
                    .syntax, "expected `,` or `]` after an element of the array opened at line \(start.line), column \(start.column), found \(describeNext())")
            }
        }
    }

    private func unterminatedArray(at start: SourcePosition) -> ConfigurationError {
        failure(.syntax, "unterminated array: add the closing `]` for the array opened here", at: start)
    }

    /// `{ key = value, … }`: one line and no trailing comma in TOML 1.0, closed for good.
    private mutating func parseInlineTable(path: [String]) throws(ConfigurationError) -> TOMLValue {
        let start = position
        index += 1
        let table = TOMLTableBuilder(origin: .header, position: start)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return TOMLValue(.table(table.build()), at: start)
        }
        while true {
            skipWhitespace()
            if isAtLineEnd { throw inlineTableNotClosed(at: start) }
            try parseKeyValue(into: table, path: path)
            skipWhitespace()
            if isAtLineEnd { throw inlineTableNotClosed(at: start) }
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    throw failure(.syntax, "a trailing comma is not allowed in an inline table (TOML 1.0); remove it")
                }
            case UInt8(ascii: "}"):
                index += 1
                return TOMLValue(.table(table.build()), at: start)
            default:
                throw failure(
                    .syntax, "expected `,` or `}` in the inline table opened at line \(start.line), column \(start.column), found \(describeNext())")
            }
        }
    }

    private func inlineTableNotClosed(at start: SourcePosition) -> ConfigurationError {
        failure(
            .syntax,
            "inline table not closed on its line: add `}` (TOML 1.0 inline tables stay on one line; use a [table] for longer ones)",
            at: start)
    }

    // MARK: - Booleans and numbers

    /// `true`, `false`, or a number; anything else unquoted is a mistake worth explaining.
    private mutating func parseBareValue() throws(ConfigurationError) -> TOMLValue {
        let start = position
        let first = index
        while let byte = peek(), Self.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") {
            index += 1
        }
        guard index > first else {
            throw failure(
                .syntax, "expected a value (a \"string\", a number, true or false, an [array] or an {inline table}), found \(describeNext())")
        }
        let token = String(decoding: bytes[first..<index], as: UTF8.self)
        switch token {
        case "true": return TOMLValue(.boolean(true), at: start)
        case "false": return TOMLValue(.boolean(false), at: start)
        case "inf", "+inf": return TOMLValue(.float(.infinity), at: start)
        case "-inf": return TOMLValue(.float(-.infinity), at: start)
        case "nan", "+nan", "-nan": return TOMLValue(.float(.nan), at: start)
        default: break
        }
        let unsigned = token.first == "+" || token.first == "-" ? token.dropFirst() : Substring(token)
        guard let lead = unsigned.utf8.first, TOMLNumber.isDigit(lead) else {
            throw failure(
                .syntax,
                "expected a value, found `\(token)`: text must be quoted (\"\(token)\"), booleans are true or false",
                at: start)
        }
        if TOMLNumber.looksLikeDateOrTime(token) {
            throw failure(
                .unsupported,
                "dates and times are not supported in printedge files; quote it if it is meant as text: \"\(token)\"",
                at: start)
        }
        switch TOMLNumber.parse(token) {
        case .integer(let value): return TOMLValue(.integer(value), at: start)
        case .float(let value): return TOMLValue(.float(value), at: start)
        case .invalid(let reason): throw failure(.syntax, "`\(token)` is not a valid number: \(reason)", at: start)
        }
    }
}

extension String {
    /// `x` from "`x`", for quoting a character inside another quote.
    fileprivate var trimmingBackticks: String {
        hasPrefix("`") && hasSuffix("`") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
