/// Where the firmware says the tool head is, as `M114` reports it
/// (`report_logical_position` + `report_a_position`, research §1.12):
/// `X:110.00 Y:110.00 Z:5.00 E:0.00 Count X:8800 Y:8800 Z:2000` (delta printers:
/// `Count A:… B:… C:…`). Plain `M114` reports the last commanded position, not a synchronised
/// one: send `M400` first when the answer must be where the head is.
///
/// Nothing here is calibration-specific; crash recovery needs it too, and it could move to
/// PrintEdgeCore unchanged.
public struct ReportedPosition: Codable, Sendable, Equatable {
    public var xMM: Double
    public var yMM: Double
    public var zMM: Double
    public var eMM: Double?
    /// The stepper counts after `Count`, by lower-case axis letter (`x`, `y`, `z`, or `a`, `b`,
    /// `c` on a delta), lower case like every other JSON key.
    public var stepCounts: [String: Int]

    public init(xMM: Double, yMM: Double, zMM: Double, eMM: Double? = nil, stepCounts: [String: Int] = [:]) {
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
        self.eMM = eMM
        self.stepCounts = stepCounts
    }

    /// Nil for any other line (a `Bed X:` probe line included) or a damaged one.
    public init?(line: Substring) {
        let text = FirmwareText.body(line)
        guard text.hasPrefix("X:") else { return nil }
        let countStart = text.firstRange(of: "Count")
        let position = countStart.map { text[..<$0.lowerBound] } ?? text
        guard let x = DecimalNumber.after("X:", in: position), let y = DecimalNumber.after("Y:", in: position),
              let z = DecimalNumber.after("Z:", in: position)
        else { return nil }
        var counts: [String: Int] = [:]
        if let countStart {
            var words = text[countStart.upperBound...].split(separator: " ")[...]
            while let word = words.popFirst() {
                guard let colon = word.firstIndex(of: ":") else { return nil }
                var value = word[word.index(after: colon)...]
                if value.isEmpty, let next = words.popFirst() { value = next }  // `Count X: 0` on old builds
                guard let count = Int(value) else { return nil }
                counts[word[..<colon].lowercased()] = count
            }
        }
        self.init(xMM: x.value, yMM: y.value, zMM: z.value, eMM: DecimalNumber.after("E:", in: position)?.value, stepCounts: counts)
    }

    public init?(line: String) {
        self.init(line: line[...])
    }

    enum CodingKeys: String, CodingKey {
        case xMM = "x_mm"
        case yMM = "y_mm"
        case zMM = "z_mm"
        case eMM = "e_mm"
        case stepCounts = "step_counts"
    }
}
