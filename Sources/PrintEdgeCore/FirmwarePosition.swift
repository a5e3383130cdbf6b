/// The position Marlin reports for `M114`: `X:110.00 Y:110.00 Z:5.00 E:0.00 Count X:8800 Y:8800 Z:2000`.
///
/// The figures before `Count` are the logical position of the last move queued (G92 shifts
/// included), not the steppers' instant one; once the planner is empty they are where the
/// nozzle is. A controller that has just booted reports 0 on every axis: Marlin assumes the
/// origin until it homes, which is how a reset shows after the fact (its `start` banner is
/// lost when no host had the port open).
public struct FirmwarePosition: Sendable, Equatable, Codable {
    public var xMM: Double
    public var yMM: Double
    public var zMM: Double
    public var eMM: Double?

    public init(xMM: Double, yMM: Double, zMM: Double, eMM: Double? = nil) {
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
        self.eMM = eMM
    }

    /// `nil` unless the line is a position report with X, Y and Z. The step counts after
    /// `Count` repeat the axes' letters and are not read.
    public init?(parsing line: Substring) {
        var text = line
        if let count = text.firstRange(of: " Count") { text = text[..<count.lowerBound] }
        var values: [Character: Double] = [:]
        for field in text.split(separator: " ") {
            guard field.count > 2, let colon = field.firstIndex(of: ":"), colon == field.index(after: field.startIndex),
                  let axis = field.first, "XYZE".contains(axis), values[axis] == nil,
                  let value = Double(field[field.index(after: colon)...]), value.isFinite else { return nil }
            values[axis] = value
        }
        guard let x = values["X"], let y = values["Y"], let z = values["Z"] else { return nil }
        self.init(xMM: x, yMM: y, zMM: z, eMM: values["E"])
    }

    /// What a controller reports right after it boots: every axis at 0.
    public var isPowerOnOrigin: Bool { xMM == 0 && yMM == 0 && zMM == 0 }

    enum CodingKeys: String, CodingKey {
        case xMM = "x_mm"
        case yMM = "y_mm"
        case zMM = "z_mm"
        case eMM = "e_mm"
    }
}
