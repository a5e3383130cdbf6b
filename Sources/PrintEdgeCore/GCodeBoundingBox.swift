/// The extent of a set of moves, per axis in native millimetres. An axis stays `nil` until a
/// point on it is known: a file that never homes Z and only moves it relatively has no Z
/// extent rather than a made-up one.
public struct GCodeBoundingBox: Sendable, Equatable, Codable {
    public var xMM: ClosedRange<Double>?
    public var yMM: ClosedRange<Double>?
    public var zMM: ClosedRange<Double>?

    public init(xMM: ClosedRange<Double>? = nil, yMM: ClosedRange<Double>? = nil, zMM: ClosedRange<Double>? = nil) {
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
    }

    public var isEmpty: Bool { xMM == nil && yMM == nil && zMM == nil }

    mutating func include(_ point: GCodeMove.Point, known: GCodeMachineState.Axes) {
        if known.contains(.x) { Self.extend(&xMM, point.xMM) }
        if known.contains(.y) { Self.extend(&yMM, point.yMM) }
        if known.contains(.z) { Self.extend(&zMM, point.zMM) }
    }

    private static func extend(_ range: inout ClosedRange<Double>?, _ value: Double) {
        guard let current = range else {
            range = value...value
            return
        }
        if value < current.lowerBound {
            range = value...current.upperBound
        } else if value > current.upperBound {
            range = current.lowerBound...value
        }
    }
}
