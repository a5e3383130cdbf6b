/// One queued line as Marlin's `GCodeParser::parse` (gcode/parser.cpp, 2.1.x) sees it.
///
/// - Leading spaces and an `N<number>` prefix are skipped; what follows is `command_ptr`,
///   the text Marlin prints in `Unknown command: "…"`.
/// - The text is cut at the first `*` after the command letter, trailing spaces removed.
/// - The command letter is G, M or T (GCODE_CASE_INSENSITIVE: lowercase accepted) and
///   must be followed by digits; anything else is an unknown command ('?').
/// - Parameters are letters with an optional number (FASTER_GCODE_PARSER: uppercase after
///   folding); numbers are read without exponents, as `value_float` does.
struct GCodeCommand: Sendable {
    /// `G`, `M` or `T`; nil for a line Marlin does not recognise as a command.
    var letter: UInt8?
    var code = 0
    /// `command_ptr` up to the checksum: the command as Marlin echoes it.
    var text: ArraySlice<UInt8>
    /// Everything after the code, for commands taking a string (M117, M118).
    var argumentText: ArraySlice<UInt8>

    private var seenLetters: UInt32 = 0
    private var values = [Double?](repeating: nil, count: 26)

    init(line: ArraySlice<UInt8>) {
        let line = CLibrary.cString(line)
        var index = line.startIndex
        let end = line.endIndex
        func at(_ position: Int) -> UInt8 { position < end ? line[position] : 0 }
        while at(index) == UInt8(ascii: " ") { index += 1 }
        if GCodeCommand.uppercase(at(index)) == UInt8(ascii: "N") && GCodeCommand.isNumericSigned(at(index + 1)) {
            index += 2
            while CLibrary.isDigit(at(index)) { index += 1 }
            while at(index) == UInt8(ascii: " ") { index += 1 }
        }
        let commandStart = min(index, end)
        // Nullify the checksum and the spaces before it.
        var textEnd = end
        if commandStart < end,
           let star = line[(commandStart + 1)..<end].firstIndex(of: UInt8(ascii: "*")) {
            var last = star - 1
            while last > commandStart && line[last] == UInt8(ascii: " ") { last -= 1 }
            textEnd = last + 1
        }
        text = line[commandStart..<textEnd]
        argumentText = line[textEnd..<textEnd]

        let letter = GCodeCommand.uppercase(at(commandStart))
        guard letter == UInt8(ascii: "G") || letter == UInt8(ascii: "M") || letter == UInt8(ascii: "T") else {
            return
        }
        var position = commandStart + 1
        while position < textEnd && line[position] == UInt8(ascii: " ") { position += 1 }
        guard position < textEnd && CLibrary.isDigit(line[position]) else { return }
        self.letter = letter
        var code = 0
        while position < textEnd && CLibrary.isDigit(line[position]) {
            if code < 100_000 { code = code * 10 + Int(line[position] - UInt8(ascii: "0")) }
            position += 1
        }
        self.code = code
        while position < textEnd && line[position] == UInt8(ascii: " ") { position += 1 }
        argumentText = line[position..<textEnd]
        if letter == UInt8(ascii: "M") && (code == 117 || code == 118) { return }
        parseParameters(line[position..<textEnd])
    }

    private mutating func parseParameters(_ arguments: ArraySlice<UInt8>) {
        var position = arguments.startIndex
        let end = arguments.endIndex
        func at(_ index: Int) -> UInt8 { index < end ? arguments[index] : 0 }
        while position < end {
            let parameter = GCodeCommand.uppercase(arguments[position])
            position += 1
            if parameter >= UInt8(ascii: "A") && parameter <= UInt8(ascii: "Z") {
                while at(position) == UInt8(ascii: " ") { position += 1 }
                let slot = Int(parameter - UInt8(ascii: "A"))
                seenLetters |= 1 << UInt32(slot)
                values[slot] = GCodeCommand.isValidFloat(at(position), at(position + 1))
                    ? GCodeCommand.parseFloat(arguments, from: position) : nil
            }
            let next = at(position)
            if !(next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z")) {
                while position < end && GCodeCommand.isNumberCharacter(arguments[position]) { position += 1 }
                while at(position) == UInt8(ascii: " ") { position += 1 }
            }
        }
    }

    func isCommand(_ letter: Character, _ code: Int) -> Bool {
        self.letter == letter.asciiValue && self.code == code
    }

    /// `parser.seen(letter)`.
    func seen(_ letter: Character) -> Bool {
        guard let ascii = letter.asciiValue else { return false }
        return seenLetters & (1 << UInt32(ascii - UInt8(ascii: "A"))) != 0
    }

    /// `parser.seenval(letter) ? value : nil`.
    func value(_ letter: Character) -> Double? {
        guard let ascii = letter.asciiValue else { return nil }
        return values[Int(ascii - UInt8(ascii: "A"))]
    }

    /// Any of the axis letters was given.
    var seenAnyAxis: Bool {
        seen("X") || seen("Y") || seen("Z") || seen("E")
    }

    static func uppercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }

    static func isNumericSigned(_ byte: UInt8) -> Bool {
        CLibrary.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
    }

    private static func isNumberCharacter(_ byte: UInt8) -> Bool {
        isNumericSigned(byte) || byte == UInt8(ascii: ".")
    }

    private static func isValidFloat(_ first: UInt8, _ second: UInt8) -> Bool {
        if CLibrary.isDigit(first) { return true }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") {
            return CLibrary.isDigit(second) || second == UInt8(ascii: ".")
        }
        return false
    }

    /// `strtof` without exponents.
    private static func parseFloat(_ text: ArraySlice<UInt8>, from start: Int) -> Double {
        var index = start
        let end = text.endIndex
        var negative = false
        if index < end && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var value = 0.0
        while index < end && CLibrary.isDigit(text[index]) {
            value = value * 10 + Double(text[index] - UInt8(ascii: "0"))
            index += 1
        }
        if index < end && text[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < end && CLibrary.isDigit(text[index]) {
                value += Double(text[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
        }
        return negative ? -value : value
    }
}
