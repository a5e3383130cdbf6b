/// One probed height, as `G30` (and `G29 V3`) print it. Two formats are in the field
/// (research §1.7): 2.0.9 and 2.1.2 print `Bed X: 110.00 Y: 110.00 Z: 0.14` (Z with 2
/// decimals); bugfix-2.1.x since October 2023 (#26255) prints `Bed X:110.00 Y:110.00 Z:0.143`.
public struct ProbeReading: Codable, Sendable, Equatable {
    /// Where the probe touched, in mm.
    public var xMM: Double
    public var yMM: Double
    /// The height it measured, in mm.
    public var zMM: Double

    public init(xMM: Double, yMM: Double, zMM: Double) {
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
    }

    /// Reads a `Bed X: … Y: … Z: …` line; nil for any other line or a damaged one.
    public init?(line: Substring) {
        let text = FirmwareText.body(line)
        guard text.hasPrefix("Bed X:"), let x = DecimalNumber.after("X:", in: text), let y = DecimalNumber.after("Y:", in: text),
              let z = DecimalNumber.after("Z:", in: text)
        else { return nil }
        self.init(xMM: x.value, yMM: y.value, zMM: z.value)
    }

    public init?(line: String) {
        self.init(line: line[...])
    }

    enum CodingKeys: String, CodingKey {
        case xMM = "x_mm"
        case yMM = "y_mm"
        case zMM = "z_mm"
    }
}
