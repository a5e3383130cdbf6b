import PrintEdgeCore

/// A colour for an 8-bit RGB pixel, cell or terminal background.
public struct RGBColour: Sendable, Equatable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `#rrggbb`.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + [red, green, blue].map { String([digits[Int($0 >> 4)], digits[Int($0 & 15)]]) }.joined()
    }

    /// Dark text on light cells, light text on dark ones (ITU-R BT.601 luma).
    var isLight: Bool {
        0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue) >= 140
    }
}

/// How mesh heights become colours: a diverging scale centred on 0 (the height the probe
/// homed at), blue below, white at 0, red above, saturating at ±`limitMM`.
///
/// Fixed by default at ±0.2 mm, so that the same colour means the same height on every bed and
/// every day: auto-scaled colours stretch whatever range a mesh has over the whole palette and
/// make a 0.1 mm bed look as alarming as a 1 mm one, Bed Level Visualizer's most common
/// complaint ("panic posts … usually it's a 0.1 difference", BLV#221, fixed there with
/// configurable Z limits, #232). At ±0.2 mm a typical good bed (0.1 mm range) shows in pale
/// tints and a bad one (0.4 mm) in full colour. `auto` is there for looking at shape, and says so.
public struct MeshColourScale: Codable, Sendable, Equatable {
    public static let defaultLimitMM = 0.2

    /// `--scale auto|MM`.
    public enum Choice: Sendable, Equatable {
        case fixed(limitMM: Double)
        case automatic

        /// Reads `auto` or a positive number of mm.
        public init?(text: String) {
            if text == "auto" {
                self = .automatic
                return
            }
            guard let number = DecimalNumber(text[...]), number.value > 0, number.value <= 10 else { return nil }
            self = .fixed(limitMM: number.value)
        }
    }

    /// Heights at or beyond ±limit get the deepest colours.
    public var limitMM: Double
    public var isAutomatic: Bool

    public init(choice: Choice = .fixed(limitMM: Self.defaultLimitMM), mesh: BedMesh? = nil) {
        switch choice {
        case .fixed(let limit):
            limitMM = limit
            isAutomatic = false
        case .automatic:
            let largest = mesh?.probedPoints.map { abs($0.zMM) }.max() ?? 0
            // Rounded up to the next 0.05 mm so the legend reads in round numbers.
            limitMM = max(0.05, (largest / 0.05).rounded(.up) * 0.05)
            isAutomatic = true
        }
    }

    /// ColorBrewer's RdBu end, middle and quarter colours.
    private static let stops: [(position: Double, colour: RGBColour)] = [
        (-1, RGBColour(5, 48, 97)), (-0.5, RGBColour(67, 147, 195)), (0, RGBColour(247, 247, 247)),
        (0.5, RGBColour(214, 96, 77)), (1, RGBColour(103, 0, 31)),
    ]

    /// Unprobed points: neutral grey, never a height colour.
    public static let missingColour = RGBColour(150, 150, 150)

    public func colour(for zMM: Double) -> RGBColour {
        let position = max(-1, min(1, zMM / limitMM))
        let upper = Self.stops.firstIndex { $0.position >= position } ?? Self.stops.count - 1
        guard upper > 0 else { return Self.stops[0].colour }
        let (from, to) = (Self.stops[upper - 1], Self.stops[upper])
        let fraction = (position - from.position) / (to.position - from.position)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * fraction).rounded()) }
        return RGBColour(mix(from.colour.red, to.colour.red), mix(from.colour.green, to.colour.green), mix(from.colour.blue, to.colour.blue))
    }

    /// "blue −0.20 mm (low) … white 0 … red +0.20 mm (high), fixed scale".
    public var legend: String {
        let limit = GCodeDecimal.fixed(limitMM, decimals: 2)
        return "colours: blue -\(limit) mm (low) ... white 0 ... red +\(limit) mm (high), \(isAutomatic ? "scaled to this mesh (auto): compare colours between meshes only on a fixed scale" : "fixed scale")"
    }

    enum CodingKeys: String, CodingKey {
        case limitMM = "limit_mm"
        case isAutomatic = "automatic"
    }
}
