/// The bed's four leveling screws, under Marlin's stock tramming points (the ones G35
/// probes: 20 mm in from the front and left edges, 40 mm from the back and right), for a
/// person to turn during a tramming test (`--bed-screws-file`).
///
/// M3 screws whose clockwise turn raises the bed (Marlin's `TRAMMING_SCREW_THREAD 30`,
/// Klipper's default `CW-M3`): a turn moves the bed 0.5 mm at that screw. Between the screws
/// the change is bilinear, as a plate held at four corners bends, and it goes on linearly
/// beyond them; at each screw it is exactly what that screw was turned.
public struct BedScrews: Sendable, Equatable {
    /// ISO M3 coarse pitch.
    public static let pitchMillimetres = 0.5

    /// How far each screw has raised the bed since the start, mm; in `VirtualMarlin.trammingPointNames` order.
    public private(set) var raisedMillimetres: [Double] = [0, 0, 0, 0]

    public init() {}

    /// The screws' places on a bed `width` × `depth` mm.
    static func points(width: Double, depth: Double) -> [(x: Double, y: Double)] {
        [(20, 20), (width - 40, 20), (width - 40, depth - 40), (20, depth - 40)]
    }

    /// What the screws add to the bed's height at X, Y.
    func offset(atX x: Double, y: Double, width: Double, depth: Double) -> Double {
        let points = Self.points(width: width, depth: depth)
        let u = (x - points[0].x) / (points[1].x - points[0].x)
        let v = (y - points[0].y) / (points[3].y - points[0].y)
        let raised = raisedMillimetres
        return (1 - u) * (1 - v) * raised[0] + u * (1 - v) * raised[1] + u * v * raised[2] + (1 - u) * v * raised[3]
    }

    /// Applies a line of the screws file: `<screw> <cw|ccw> <turns>`, the screw by number
    /// (1–4) or by name (`front left`, `Front-Right`, …). False for a line that is not one.
    public mutating func turn(_ line: String) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        guard words.count >= 3, let turns = Double(words[words.count - 1]), turns.isFinite, abs(turns) <= 20 else { return false }
        let raises: Double
        switch words[words.count - 2] {
        case "cw": raises = 1
        case "ccw": raises = -1
        default: return false
        }
        let name = words.dropLast(2).joined(separator: " ").replacingHyphens
        let index: Int
        if let number = Int(name), (1...4).contains(number) {
            index = number - 1
        } else if let found = VirtualMarlin.trammingPointNames.firstIndex(where: { $0.lowercased().replacingHyphens == name }) {
            index = found
        } else {
            return false
        }
        raisedMillimetres[index] += raises * turns * Self.pitchMillimetres
        return true
    }
}

extension String {
    fileprivate var replacingHyphens: String { String(map { $0 == "-" ? " " : $0 }) }
}

extension VirtualMarlin {
    /// Someone turned a bed screw (`--bed-screws-file`): the bed moves there at once, as the
    /// probe will find.
    public mutating func turnBedScrew(_ line: String) -> Bool {
        guard bedScrews.turn(line) else { return false }
        counters.bedScrewTurns += 1
        return true
    }
}
