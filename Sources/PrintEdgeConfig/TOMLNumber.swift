/// TOML's number grammar, checked to the letter before Swift converts the digits: `1_000`
/// but not `1__000` or `_1`, `0` but not `07`, `1.5` and `5e-3` but not `1.` or `.5`.
enum TOMLNumber {
    enum Parsed: Equatable {
        case integer(Int)
        case float(Double)
        /// Why the token is not a TOML number, as the end of "`x` is not a valid number: …".
        case invalid(String)
    }

    static func parse(_ token: String) -> Parsed {
        let bytes = Array(token.utf8)
        let signed = bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-")
        let body = signed ? Array(bytes.dropFirst()) : bytes
        if body.count > 1 && body[0] == UInt8(ascii: "0"), let radix = radix(of: body[1]) {
            return parseRadix(Array(body.dropFirst(2)), radix: radix, signed: signed)
        }
        if body.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return parseFloat(bytes, body: body)
        }
        guard isDigitGroup(body[...], digit: isDigit) else {
            return .invalid("digits may be separated by single underscores only (1_000), nothing else")
        }
        if body.count > 1 && body[0] == UInt8(ascii: "0") {
            return .invalid("leading zeros are not allowed")
        }
        guard let value = Int(String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)) else {
            return .invalid("it does not fit in a 64-bit integer")
        }
        return .integer(value)
    }

    /// `1979-05-27…` or `07:32…`: the start of a TOML date or time.
    static func looksLikeDateOrTime(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= bytes.count && bytes[range].allSatisfy(isDigit) }
        return (digits(0..<4) && bytes.count > 4 && bytes[4] == UInt8(ascii: "-"))
            || (digits(0..<2) && bytes.count > 2 && bytes[2] == UInt8(ascii: ":"))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func radix(of letter: UInt8) -> Int? {
        switch letter {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    private static func parseRadix(_ digits: [UInt8], radix: Int, signed: Bool) -> Parsed {
        if signed { return .invalid("hexadecimal, octal and binary integers take no sign") }
        let isRadixDigit: (UInt8) -> Bool = { byte in
            let lowered = byte | 0x20
            let value: Int? =
                isDigit(byte) ? Int(byte - UInt8(ascii: "0"))
                : (lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "f")) ? Int(lowered - UInt8(ascii: "a")) + 10 : nil
            return value.map { $0 < radix } ?? false
        }
        guard isDigitGroup(digits[...], digit: isRadixDigit) else {
            return .invalid("expected base-\(radix) digits, separated by single underscores only")
        }
        guard let value = Int(String(decoding: digits.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self), radix: radix) else {
            return .invalid("it does not fit in a 64-bit integer")
        }
        return .integer(value)
    }

    /// `[sign] integer-part ( fraction [exponent] | exponent )`.
    private static func parseFloat(_ bytes: [UInt8], body: [UInt8]) -> Parsed {
        let exponentStart = body.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = body[..<(exponentStart ?? body.endIndex)]
        let integerPart: ArraySlice<UInt8>
        if let dot = mantissa.firstIndex(of: UInt8(ascii: ".")) {
            integerPart = mantissa[..<dot]
            guard isDigitGroup(mantissa[(dot + 1)...], digit: isDigit) else {
                return .invalid("a decimal point needs digits on both sides (0.5, 1.0)")
            }
        } else {
            integerPart = mantissa
        }
        guard isDigitGroup(integerPart, digit: isDigit) else {
            return .invalid("a decimal point needs digits on both sides (0.5, 1.0), separated by single underscores only")
        }
        if integerPart.count > 1 && integerPart.first == UInt8(ascii: "0") {
            return .invalid("leading zeros are not allowed")
        }
        if let exponentStart {
            var exponent = body[(exponentStart + 1)...]
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            guard isDigitGroup(exponent, digit: isDigit) else {
                return .invalid("an exponent needs digits (5e-3, 1.5E+6)")
            }
        }
        guard let value = Double(String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)) else {
            return .invalid("not a number Swift can represent")
        }
        return .float(value)
    }

    /// Digits with single underscores between them: not empty, no leading, trailing or
    /// doubled underscore.
    private static func isDigitGroup(_ bytes: ArraySlice<UInt8>, digit: (UInt8) -> Bool) -> Bool {
        guard let first = bytes.first, let last = bytes.last, digit(first), digit(last) else { return false }
        var previousWasUnderscore = false
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                if previousWasUnderscore { return false }
                previousWasUnderscore = true
            } else if digit(byte) {
                previousWasUnderscore = false
            } else {
                return false
            }
        }
        return true
    }
}
