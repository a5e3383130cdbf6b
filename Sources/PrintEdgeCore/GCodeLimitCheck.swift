/// Checks each command of a file against `MachineLimits` while the analysis reads it, and
/// keeps the first violations with their line numbers (a file sliced for the wrong printer
/// breaks the limits thousands of times; the first few say enough).
///
/// A move is checked on the axes whose position is known after it (`GCodeMachineState`'s
/// `knownAxes`): an absolute coordinate counts even before `G28`, a relative move only once
/// the axis has been homed or set absolutely. Arcs are checked where they bulge out, not just
/// at their end point. Positions are native (`G92` shifts removed), as the firmware's
/// software endstops see them.
struct GCodeLimitCheck: Sendable {
    let limits: MachineLimits
    let maxKept: Int
    private(set) var violations: [GCodeLimitViolation] = []
    private(set) var violationCount = 0

    /// Floating-point slack so an arc computed to touch the edge is not reported.
    private static let epsilonMM = 0.000001

    init(limits: MachineLimits, maxKept: Int) {
        self.limits = limits
        self.maxKept = maxKept
    }

    mutating func check(_ move: GCodeMove, sourceLine: Int, command: [UInt8]) {
        var found: GCodeLimitViolation.Kind?
        move.forEachExtreme { point in
            guard found == nil else { return }
            if move.knownAxes.contains(.x), let kind = outside("X", point.xMM, limits.xMM) {
                found = kind
            } else if move.knownAxes.contains(.y), let kind = outside("Y", point.yMM, limits.yMM) {
                found = kind
            } else if move.knownAxes.contains(.z), let kind = outside("Z", point.zMM, limits.zMM) {
                found = kind
            }
        }
        if let found { record(found, sourceLine: sourceLine, command: command) }
    }

    mutating func check(_ heater: GCodeMachineState.Heater, celsius: Double, sourceLine: Int, command: [UInt8]) {
        switch heater {
        case .hotend where celsius > limits.maxHotendCelsius:
            record(.hotendTooHot(celsius: celsius, maximumCelsius: limits.maxHotendCelsius), sourceLine: sourceLine, command: command)
        case .bed where celsius > limits.maxBedCelsius:
            record(.bedTooHot(celsius: celsius, maximumCelsius: limits.maxBedCelsius), sourceLine: sourceLine, command: command)
        default:
            break
        }
    }

    private func outside(_ axis: String, _ valueMM: Double, _ allowed: ClosedRange<Double>) -> GCodeLimitViolation.Kind? {
        let slack = limits.toleranceMM + Self.epsilonMM
        guard valueMM < allowed.lowerBound - slack || valueMM > allowed.upperBound + slack else { return nil }
        return .outsideBuildVolume(axis: axis, positionMM: valueMM, allowedMM: allowed)
    }

    private mutating func record(_ kind: GCodeLimitViolation.Kind, sourceLine: Int, command: [UInt8]) {
        violationCount += 1
        guard violations.count < maxKept else { return }
        violations.append(GCodeLimitViolation(sourceLine: sourceLine, excerpt: Self.excerpt(command), kind: kind))
    }

    private static func excerpt(_ command: [UInt8]) -> String {
        let printable = command.prefix(60).map { $0 >= 0x20 && $0 <= 0x7E ? $0 : UInt8(ascii: "?") }
        return String(decoding: printable, as: UTF8.self) + (command.count > 60 ? "..." : "")
    }
}
