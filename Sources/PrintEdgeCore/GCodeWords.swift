/// One normalised G-code command split into words (`G1`, `X10`, `E0.5`), without allocating:
/// the command letter and number, which letters appear, and the values the analysis reads.
///
/// Parsing follows Marlin's `parser.cpp` where it matters: blanks between words are optional
/// (`G1X10Y5` is `G1 X10 Y5`), letters are accepted in either case (`GCODE_CASE_INSENSITIVE`,
/// on in Marlin's default configuration), and a letter without a number is "seen" but has no
/// value (`G28 X` homes X). A value that is not a number (`X1.2.3`, `X--1`) is treated as
/// absent rather than guessed, so a corrupt word never moves the model anywhere.
struct GCodeWords {
    /// `G`, `M` or `T` (uppercase ASCII).
    let letter: UInt8
    let code: Int
    /// The digits after a dot in the command (`G92.1` → 1), which select a different command.
    let subcode: Int?
    private let parameters: Parameters

    /// `nil` when the command does not start with a `G`, `M` or `T` word with a number.
    init?(_ command: some Collection<UInt8>) {
        var parser = Parser()
        for raw in command {
            let byte = raw >= UInt8(ascii: "a") && raw <= UInt8(ascii: "z") ? raw - 0x20 : raw
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                parser.finishWord()
                parser.current = byte
            } else if byte == UInt8(ascii: " ") {
                parser.finishWord()
            } else if parser.current != nil {
                parser.scanner.feed(byte)
            } else if parser.command == nil {
                return nil
            }
        }
        parser.finishWord()
        guard let command = parser.command, !parser.failed else { return nil }
        letter = command.letter
        code = command.code
        subcode = command.subcode
        parameters = parser.parameters
    }

    func isM(_ number: Int) -> Bool { letter == UInt8(ascii: "M") && code == number && subcode == nil }

    /// Whether the parameter letter appears, with or without a value.
    func has(_ parameter: UInt8) -> Bool {
        guard parameter >= UInt8(ascii: "A"), parameter <= UInt8(ascii: "Z") else { return false }
        return parameters.seen & (1 << UInt32(parameter - UInt8(ascii: "A"))) != 0
    }

    /// The parameter's value, `nil` when absent, empty or not a number.
    func value(_ parameter: UInt8) -> Double? { parameters.value(parameter) }

    /// A parameter as a small non-negative index (`T1`, `P2`), `nil` when absent or not one.
    func index(_ parameter: UInt8, below limit: Int) -> Int? {
        guard let value = value(parameter), value >= 0, value < Double(limit), value == value.rounded(.towardZero) else {
            return nil
        }
        return Int(value)
    }

    /// The word being read and what has been read so far.
    private struct Parser {
        var current: UInt8?
        var scanner = DecimalScanner()
        var command: (letter: UInt8, code: Int, subcode: Int?)?
        var parameters = Parameters()
        var failed = false

        mutating func finishWord() {
            guard let letter = current else { return }
            defer {
                current = nil
                scanner = DecimalScanner()
            }
            guard command != nil else {
                let isCommandLetter = letter == UInt8(ascii: "G") || letter == UInt8(ascii: "M") || letter == UInt8(ascii: "T")
                if isCommandLetter, let number = scanner.unsignedNumber {
                    command = (letter, number.whole, number.fraction)
                } else {
                    failed = true
                }
                return
            }
            parameters.record(letter, scanner.value)
        }
    }

    /// The parameter letters seen and the values of those the analysis reads; fixed fields
    /// rather than a dictionary, so parsing a line allocates nothing.
    private struct Parameters {
        var seen: UInt32 = 0
        var x: Double?, y: Double?, z: Double?, e: Double?, f: Double?
        var s: Double?, r: Double?, p: Double?, t: Double?, i: Double?, j: Double?

        mutating func record(_ letter: UInt8, _ value: Double?) {
            seen |= 1 << UInt32(letter - UInt8(ascii: "A"))
            switch letter {
            case UInt8(ascii: "X"): x = value
            case UInt8(ascii: "Y"): y = value
            case UInt8(ascii: "Z"): z = value
            case UInt8(ascii: "E"): e = value
            case UInt8(ascii: "F"): f = value
            case UInt8(ascii: "S"): s = value
            case UInt8(ascii: "R"): r = value
            case UInt8(ascii: "P"): p = value
            case UInt8(ascii: "T"): t = value
            case UInt8(ascii: "I"): i = value
            case UInt8(ascii: "J"): j = value
            default: break
            }
        }

        func value(_ letter: UInt8) -> Double? {
            switch letter {
            case UInt8(ascii: "X"): x
            case UInt8(ascii: "Y"): y
            case UInt8(ascii: "Z"): z
            case UInt8(ascii: "E"): e
            case UInt8(ascii: "F"): f
            case UInt8(ascii: "S"): s
            case UInt8(ascii: "R"): r
            case UInt8(ascii: "P"): p
            case UInt8(ascii: "T"): t
            case UInt8(ascii: "I"): i
            case UInt8(ascii: "J"): j
            default: nil
            }
        }
    }
}

/// Reads a decimal number (`-12.5`, `.5`, `+3`) byte by byte, exactly: digits accumulate in an
/// integer and are divided by a power of ten once, so `0.2` parses to the same `Double` a
/// slicer meant. Digits beyond 15 significant ones after the dot are dropped (below any
/// printer's resolution); an integer part that long is garbage and makes the value absent.
struct DecimalScanner {
    private var negative = false
    private var mantissa: Int64 = 0
    private var fractionDigits = 0
    private var digits = 0
    private var seenDot = false
    private var seenSign = false
    private var invalid = false

    /// Another digit is taken while the mantissa is below this: 15 digits stay below 2^53,
    /// where every integer is exact in a `Double`.
    private static let maxMantissa: Int64 = 100_000_000_000_000
    private static let powersOfTen: [Double] = (0...15).map { power in
        var value = 1.0
        for _ in 0..<power { value *= 10 }
        return value
    }

    mutating func feed(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            if seenSign || digits > 0 || seenDot { invalid = true }
            seenSign = true
            negative = byte == UInt8(ascii: "-")
        case UInt8(ascii: "."):
            if seenDot { invalid = true }
            seenDot = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            digits += 1
            let digit = Int64(byte - UInt8(ascii: "0"))
            if seenDot {
                if mantissa < Self.maxMantissa, fractionDigits < Self.powersOfTen.count - 1 {
                    mantissa = mantissa * 10 + digit
                    fractionDigits += 1
                }
            } else if mantissa < Self.maxMantissa {
                mantissa = mantissa * 10 + digit
            } else {
                invalid = true
            }
        default:
            invalid = true
        }
    }

    var value: Double? {
        guard !invalid, digits > 0 else { return nil }
        let magnitude = Double(mantissa) / Self.powersOfTen[fractionDigits]
        return negative ? -magnitude : magnitude
    }

    /// A command number such as `1` or `92.1`: no sign, whole part and optional subcode.
    var unsignedNumber: (whole: Int, fraction: Int?)? {
        guard !invalid, !seenSign, digits > 0 else { return nil }
        var divisor: Int64 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let whole = Int(mantissa / divisor)
        return (whole, seenDot && fractionDigits > 0 ? Int(mantissa % divisor) : nil)
    }
}
