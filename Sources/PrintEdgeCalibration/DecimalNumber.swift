/// Numbers as Marlin prints them: an optional sign, digits, an optional dot and digits
/// (`+0.311`, `-1.65`, `93`, `.5`). Stricter than `Double(_:)` on purpose: `nan`, `inf`,
/// exponents and `1.2.3` are garbled output here, not numbers, so a damaged line is refused
/// instead of read as a wrong value.
struct DecimalNumber: Sendable, Equatable {
    var value: Double
    /// Digits after the dot as printed: how precise the firmware said the value is.
    var decimals: Int

    /// The whole token as a number, or nil.
    init?(_ token: Substring) {
        var rest = token
        if let first = rest.first, first == "+" || first == "-" { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        for character in rest {
            if character == "." {
                guard !seenDot else { return nil }
                seenDot = true
            } else if character.isASCII, character.isNumber {
                digits += 1
                if seenDot { fractionDigits += 1 }
            } else {
                return nil
            }
        }
        guard digits > 0, let value = Double(String(token.first == "+" ? token.dropFirst() : token)) else { return nil }
        self.value = value
        self.decimals = fractionDigits
    }

    /// The number that follows `label` in `text`, blanks allowed between them. The number must
    /// end at a blank, the end of the text, or one of `terminators`; otherwise the text is
    /// damaged and the answer is nil.
    static func after(_ label: String, in text: Substring, terminators: Set<Character> = []) -> DecimalNumber? {
        guard let range = text.firstRange(of: label) else { return nil }
        var rest = text[range.upperBound...]
        // `Z: -1.63` and `Z-1.63` both occur for the same value across Marlin versions.
        if !label.hasSuffix(":"), rest.first == ":" { rest = rest.dropFirst() }
        return leading(rest, terminators: terminators)?.number
    }

    /// The number at the start of `text` (after blanks) and the text after it.
    static func leading(_ text: Substring, terminators: Set<Character> = []) -> (number: DecimalNumber, rest: Substring)? {
        let start = text.drop { $0 == " " || $0 == "\t" }
        let token = start.prefix { $0 != " " && $0 != "\t" && !terminators.contains($0) }
        guard let number = DecimalNumber(token) else { return nil }
        return (number, start[token.endIndex...])
    }
}
