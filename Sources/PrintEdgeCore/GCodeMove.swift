/// One motion a `G0`–`G3` command makes, as the analysis needs it: where it starts and ends in
/// native coordinates (what the firmware's software endstops check, G92 shifts removed), how
/// much filament it pushes, how fast it was asked to go, and for arcs their geometry.
struct GCodeMove {
    /// A point in native millimetres; `eMM` is the logical extruder position.
    struct Point {
        var xMM: Double
        var yMM: Double
        var zMM: Double
        var eMM: Double
    }

    /// An arc as Marlin's `plan_arc` draws it: around `center`, with the radius of the start
    /// point, through `angularTravelRadians` (positive counter-clockwise), ending exactly at
    /// the move's end point even when that is not on the circle.
    struct Arc {
        var centerXMM: Double
        var centerYMM: Double
        var radiusMM: Double
        var angularTravelRadians: Double
    }

    var start: Point
    var end: Point
    var arc: Arc?
    /// The feedrate the firmware plans with: `F` times the `M220` percentage.
    var feedrateMMPerSecond: Double
    /// Axes whose position is known after the move (homed or set by an absolute coordinate).
    var knownAxes: GCodeMachineState.Axes

    var extrusionMM: Double { end.eMM - start.eMM }

    /// Length in the XY plane: what deposits filament on the part.
    var planarLengthMM: Double {
        if let arc { return arc.radiusMM * abs(arc.angularTravelRadians) }
        return Trigonometry.hypotenuse(end.xMM - start.xMM, end.yMM - start.yMM)
    }

    /// Length of the tool path in XYZ (helical for arcs), the distance the planner times.
    var pathLengthMM: Double {
        let planar = planarLengthMM
        let rise = end.zMM - start.zMM
        return rise == 0 ? planar : Trigonometry.hypotenuse(planar, rise)
    }

    /// Unit direction of travel where the move starts, `nil` for a move without XYZ motion.
    var startDirection: (Double, Double, Double)? {
        guard let arc else { return straightDirection }
        return arcTangent(arc, atXMM: start.xMM - arc.centerXMM, yMM: start.yMM - arc.centerYMM)
    }

    /// Unit direction of travel where the move ends, `nil` for a move without XYZ motion.
    var endDirection: (Double, Double, Double)? {
        guard let arc else { return straightDirection }
        let startAngle = Trigonometry.arctangent(start.yMM - arc.centerYMM, start.xMM - arc.centerXMM)
        let endAngle = startAngle + arc.angularTravelRadians
        return arcTangent(arc, atXMM: arc.radiusMM * Trigonometry.cosine(endAngle), yMM: arc.radiusMM * Trigonometry.sine(endAngle))
    }

    /// Calls `body` with every point where the move reaches its extremes in X or Y: the end
    /// point, and for arcs the points of the circle at 0°, 90°, 180° and 270° that the arc
    /// passes through (an arc can bulge past both its end points).
    func forEachExtreme(_ body: (Point) -> Void) {
        body(end)
        guard let arc, arc.radiusMM > 0 else { return }
        let startAngle = Trigonometry.arctangent(start.yMM - arc.centerYMM, start.xMM - arc.centerXMM)
        let travel = arc.angularTravelRadians
        for quadrant in 0..<4 {
            let angle = Double(quadrant) * Double.pi / 2
            let fromStart = travel >= 0
                ? Trigonometry.positiveRemainder(angle - startAngle, 2 * Double.pi)
                : Trigonometry.positiveRemainder(startAngle - angle, 2 * Double.pi)
            guard fromStart <= abs(travel) else { continue }
            let fraction = abs(travel) > 0 ? fromStart / abs(travel) : 0
            body(Point(xMM: arc.centerXMM + arc.radiusMM * Trigonometry.cosine(angle),
                       yMM: arc.centerYMM + arc.radiusMM * Trigonometry.sine(angle),
                       zMM: start.zMM + (end.zMM - start.zMM) * fraction,
                       eMM: start.eMM + (end.eMM - start.eMM) * fraction))
        }
    }

    private var straightDirection: (Double, Double, Double)? {
        let dx = end.xMM - start.xMM, dy = end.yMM - start.yMM, dz = end.zMM - start.zMM
        let length = (dx * dx + dy * dy + dz * dz).squareRoot()
        guard length > 0 else { return nil }
        return (dx / length, dy / length, dz / length)
    }

    /// The tangent of a helix at radius vector (`xMM`, `yMM`) from the center.
    private func arcTangent(_ arc: Arc, atXMM x: Double, yMM y: Double) -> (Double, Double, Double)? {
        let length = pathLengthMM
        guard arc.radiusMM > 0, length > 0 else { return nil }
        let turn = arc.angularTravelRadians >= 0 ? 1.0 : -1.0
        let planar = planarLengthMM
        return (-y / arc.radiusMM * turn * planar / length, x / arc.radiusMM * turn * planar / length,
                (end.zMM - start.zMM) / length)
    }
}
