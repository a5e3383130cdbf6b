/// One line of a settings snapshot, as `M503 S0` prints it for replay (`M92 X80.00 Y80.00
/// Z400.00 E93.00`), without `echo:` and without its `; (mm)`-style comment.
public struct SettingsCommand: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One word after the command: a letter and its value as printed (`80.00`), or a flag
    /// with an empty value (`W` in `G29 W I0 J0 Z-0.07876`, `C` in `M149 C`).
    public struct Parameter: Sendable, Equatable, Hashable {
        public var letter: Character
        public var text: String

        public init(letter: Character, text: String) {
            self.letter = letter
            self.text = text
        }

        public var number: Double? { DecimalNumber(text[...])?.value }
    }

    /// `M92`, `G29`, `M301`.
    public var code: String
    public var parameters: [Parameter]

    public init(code: String, parameters: [Parameter]) {
        self.code = code
        self.parameters = parameters
    }

    /// Reads a G-code line: `G`/`M` and digits, then words. Nil for anything else (headings,
    /// `Unified Bed Leveling System v1.01 active`, `Active Mesh Slot: 1`).
    public init?(line: Substring) {
        var text = FirmwareText.body(line)
        if let comment = text.firstIndex(of: ";") { text = FirmwareText.trimmed(text[..<comment]) }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first, let letter = first.first, letter == "G" || letter == "M",
              first.count > 1, first.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        var parameters: [Parameter] = []
        for word in words.dropFirst() {
            guard let parameterLetter = word.first, parameterLetter.isASCII, parameterLetter.isLetter, parameterLetter.isUppercase else { return nil }
            let value = word.dropFirst()
            // Numbers, or dotted addresses (`M552 P192.168.0.10`); anything else is damage.
            guard value.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." || $0 == "-" || $0 == "+" }) else { return nil }
            parameters.append(Parameter(letter: parameterLetter, text: String(value)))
        }
        self.code = String(first)
        self.parameters = parameters
    }

    public func parameter(_ letter: Character) -> Parameter? {
        parameters.first { $0.letter == letter }
    }

    public func value(_ letter: Character) -> Double? {
        parameter(letter)?.number
    }

    /// The replayable line.
    public var description: String {
        ([code] + parameters.map { "\($0.letter)\($0.text)" }).joined(separator: " ")
    }

    /// The words that tell two lines of one command apart rather than being settings: `T` in
    /// `M92 T1 E…` (DISTINCT_E_FACTORS), `I`/`J` of a mesh point, `S` of `M145` (material) or
    /// `M422` (probe point), `E` of `M301` (PID_PARAMS_PER_HOTEND)… plus every flag word.
    var identityLetters: Set<Character> {
        var letters: Set<Character> = Self.identityLettersByCode[code] ?? []
        for parameter in parameters where parameter.text.isEmpty { letters.insert(parameter.letter) }
        if code == "G29" { letters.formUnion(["S", "I", "J"]) }
        return letters
    }

    /// The command and its identity words, e.g. `M92 T1`, `G29 W I0 J2`.
    var identity: String {
        let letters = identityLetters
        let words = parameters.filter { letters.contains($0.letter) }.map { "\($0.letter)\($0.text)" }
        return ([code] + words).joined(separator: " ")
    }

    private static let identityLettersByCode: [String: Set<Character>] = [
        "M92": ["T"], "M200": ["T"], "M203": ["T"], "M201": ["T"], "M218": ["T"], "M145": ["S"], "M301": ["E"],
        "M305": ["P"], "M306": ["E"], "M281": ["P"], "M422": ["S", "W"], "M423": ["I"], "M569": ["S", "I", "T"],
        "M906": ["I", "T"], "M913": ["I", "T"], "M914": ["I", "T"], "M900": ["T"], "M603": ["T"],
    ]
}
