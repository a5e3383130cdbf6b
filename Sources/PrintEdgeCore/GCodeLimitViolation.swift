/// A command in a file that would take the printer past one of its `MachineLimits`.
public struct GCodeLimitViolation: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, Codable {
        /// The head would reach `positionMM` on `axis` ("X", "Y" or "Z"), outside `allowedMM`.
        case outsideBuildVolume(axis: String, positionMM: Double, allowedMM: ClosedRange<Double>)
        case hotendTooHot(celsius: Double, maximumCelsius: Double)
        case bedTooHot(celsius: Double, maximumCelsius: Double)
    }

    /// 1-based line number in the file.
    public var sourceLine: Int
    /// The command as sent (comments stripped), shortened to 60 characters.
    public var excerpt: String
    public var kind: Kind

    public init(sourceLine: Int, excerpt: String, kind: Kind) {
        self.sourceLine = sourceLine
        self.excerpt = excerpt
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .outsideBuildVolume(let axis, let position, let allowed):
            "line \(sourceLine): \(excerpt) leaves the build volume (\(axis) \(GCodeDecimal.text(allowed.lowerBound))…\(GCodeDecimal.text(allowed.upperBound)) mm) at \(axis) \(GCodeDecimal.text(position)) mm, \(Self.overshoot(position, allowed)); re-slice for this printer or fix the profile's build volume"
        case .hotendTooHot(let celsius, let maximum):
            "line \(sourceLine): \(excerpt) is above the hotend's maximum of \(GCodeDecimal.text(maximum)) °C (asks for \(GCodeDecimal.text(celsius)) °C); re-slice with this printer's filament settings"
        case .bedTooHot(let celsius, let maximum):
            "line \(sourceLine): \(excerpt) is above the bed's maximum of \(GCodeDecimal.text(maximum)) °C (asks for \(GCodeDecimal.text(celsius)) °C); re-slice with this printer's filament settings"
        }
    }

    /// "12.5 mm past the maximum": how far a move overshoots, so the fix is obvious.
    private static func overshoot(_ position: Double, _ allowed: ClosedRange<Double>) -> String {
        position > allowed.upperBound
            ? "\(GCodeDecimal.text(position - allowed.upperBound)) mm past the maximum"
            : "\(GCodeDecimal.text(allowed.lowerBound - position)) mm below the minimum"
    }
}
