/// A bed leveling screw from the printer's profile.
public struct TrammingScrew: Codable, Sendable, Equatable {
    /// As the person knows it: "front left", "back-right".
    public var name: String
    /// Where to put the probe so it is over the screw (`G30 X Y` places the probe, not the
    /// nozzle, there; Klipper's `screwN` is the nozzle position that puts the probe there).
    public var xMM: Double
    public var yMM: Double

    public init(name: String, xMM: Double, yMM: Double) {
        self.name = name
        self.xMM = xMM
        self.yMM = yMM
    }

    enum CodingKeys: String, CodingKey {
        case name
        case xMM = "x_mm"
        case yMM = "y_mm"
    }
}
