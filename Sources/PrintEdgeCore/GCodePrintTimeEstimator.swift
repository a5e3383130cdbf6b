/// Estimates how long the moves of a file take, one move at a time.
///
/// Each move is a trapezoid: it accelerates from its entry speed towards its feedrate and
/// brakes to its exit speed at a constant acceleration. The speed kept through a corner comes
/// from Marlin's junction deviation (`planner.cpp`): v² = a·δ·sin(θ/2) / (1 − sin(θ/2)), so a
/// curve made of short segments is not timed as if the head stopped at every segment (which
/// would double its time). Unlike the firmware there is no look-ahead beyond the next move:
/// a move too short to brake for the corner after it is timed as braking only, slightly
/// under-estimated. Heating waits and homing are not counted (their length depends on the
/// printer, not the file); dwells (`G4`) are.
struct GCodePrintTimeEstimator: Sendable {
    /// `nil` times every move at its feedrate from start to end: exact for tests of the
    /// geometry, optimistic for a real printer.
    let accelerationMMPerSecondSquared: Double?
    let junctionDeviationMM: Double
    private(set) var finishedSeconds = 0.0
    private var pending: Segment?

    /// A move waiting for the next one, which decides the speed it may leave with.
    private struct Segment: Sendable {
        var lengthMM: Double
        var speedMMPerSecond: Double
        var entrySpeedMMPerSecond: Double
        var startDirection: (Double, Double, Double)?
        var endDirection: (Double, Double, Double)?
    }

    init(accelerationMMPerSecondSquared: Double?, junctionDeviationMM: Double) {
        self.accelerationMMPerSecondSquared = accelerationMMPerSecondSquared.flatMap { $0 > 0 ? $0 : nil }
        self.junctionDeviationMM = max(0, junctionDeviationMM)
    }

    /// Everything timed so far, the move still waiting for its successor included (ending at rest).
    var totalSeconds: Double {
        guard let pending, let acceleration = accelerationMMPerSecondSquared else { return finishedSeconds }
        return finishedSeconds + Self.time(of: pending, exitSpeed: 0, acceleration: acceleration).seconds
    }

    mutating func add(_ move: GCodeMove) {
        let path = move.pathLengthMM
        // A move without X/Y/Z motion is an extruder-only move (retract, prime); Marlin then
        // plans it by the extruder's travel.
        let length = path > 0 ? path : abs(move.extrusionMM)
        guard length > 0, move.feedrateMMPerSecond > 0 else { return }
        guard let acceleration = accelerationMMPerSecondSquared else {
            finishedSeconds += length / move.feedrateMMPerSecond
            return
        }
        var next = Segment(lengthMM: length, speedMMPerSecond: move.feedrateMMPerSecond, entrySpeedMMPerSecond: 0,
                           startDirection: path > 0 ? move.startDirection : nil,
                           endDirection: path > 0 ? move.endDirection : nil)
        if let previous = pending {
            let junction = junctionSpeed(from: previous, to: next, acceleration: acceleration)
            let timed = Self.time(of: previous, exitSpeed: junction, acceleration: acceleration)
            finishedSeconds += timed.seconds
            next.entrySpeedMMPerSecond = min(junction, timed.exitSpeed)
        }
        pending = next
    }

    /// The planner empties (`M400`, `M109`, homing): the head comes to rest.
    mutating func stop() {
        guard let pending, let acceleration = accelerationMMPerSecondSquared else { return }
        finishedSeconds += Self.time(of: pending, exitSpeed: 0, acceleration: acceleration).seconds
        self.pending = nil
    }

    mutating func dwell(seconds: Double) {
        stop()
        finishedSeconds += seconds
    }

    private func junctionSpeed(from previous: Segment, to next: Segment, acceleration: Double) -> Double {
        guard let exit = previous.endDirection, let entry = next.startDirection else { return 0 }
        let cosTheta = -(exit.0 * entry.0 + exit.1 * entry.1 + exit.2 * entry.2)
        let limit = min(previous.speedMMPerSecond, next.speedMMPerSecond)
        if cosTheta > 0.999999 { return 0 }
        if cosTheta < -0.999999 { return limit }
        let sinHalfTheta = (0.5 * (1 - cosTheta)).squareRoot()
        let squared = acceleration * junctionDeviationMM * sinHalfTheta / (1 - sinHalfTheta)
        return min(squared.squareRoot(), limit)
    }

    /// The time of one trapezoid (or triangle) and the speed it really leaves with.
    private static func time(of segment: Segment, exitSpeed wanted: Double, acceleration a: Double) -> (seconds: Double, exitSpeed: Double) {
        let d = segment.lengthMM
        let v0 = segment.entrySpeedMMPerSecond
        let cruise = max(segment.speedMMPerSecond, v0)
        let v1 = min(wanted, (v0 * v0 + 2 * a * d).squareRoot())
        let brakingLeft = v0 * v0 - 2 * a * d
        if brakingLeft > v1 * v1 {
            // Too short to brake to the corner speed: it brakes all the way and leaves faster.
            let reached = brakingLeft.squareRoot()
            return (2 * d / (v0 + reached), reached)
        }
        let accelerating = (cruise * cruise - v0 * v0) / (2 * a)
        let braking = (cruise * cruise - v1 * v1) / (2 * a)
        if accelerating + braking <= d {
            return ((cruise - v0) / a + (cruise - v1) / a + (d - accelerating - braking) / cruise, v1)
        }
        let peak = ((2 * a * d + v0 * v0 + v1 * v1) / 2).squareRoot()
        return ((peak - v0) / a + (peak - v1) / a, v1)
    }
}

extension Duration {
    /// An estimate in seconds as a `Duration`. A garbage file (`G1 X999999999999 F0.0000001`)
    /// can ask for more time than `Duration` holds, which would trap; anything beyond 10^12 s
    /// (30,000 years) is garbage anyway and is capped there.
    static func estimate(seconds: Double) -> Duration {
        seconds.isNaN ? .zero : .seconds(min(max(seconds, 0), 1e12))
    }
}
