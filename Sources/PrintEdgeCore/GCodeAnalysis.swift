/// What one pass over a G-code file found out: its layers (with where and how to resume at
/// each), its extent, filament, time, temperatures and any machine-limit violations.
///
/// The rules behind each figure are in docs/gcode-analysis.md.
public struct GCodeAnalysis: Sendable, Equatable, Codable {
    /// Lines in the file, comments and blank lines included.
    public var sourceLines: Int
    /// Lines that carry a command.
    public var commands: Int
    public var layers: [GCodeLayer]
    /// Extent of the moves that deposit filament (start and end points): the part, purge
    /// lines included.
    public var extrusionBounds: GCodeBoundingBox
    /// Extent of every move, travel included.
    public var moveBounds: GCodeBoundingBox
    /// Filament pushed into the nozzle, in mm of filament: positive extrusion that is not
    /// the undoing of an earlier retraction.
    public var filamentMM: Double
    /// Our estimate from the moves (trapezoids with junction speeds); heating waits and
    /// homing are not included.
    public var estimatedDuration: Duration
    /// The slicer's own estimate, when the file carries one (`M73 R`, `;TIME:`, PrusaSlicer's summary).
    public var slicerEstimate: Duration?
    /// Highest hotend / bed target the file sets; `nil` when it never sets one.
    public var maxHotendTargetCelsius: Double?
    public var maxBedTargetCelsius: Double?
    /// The lowest Z at which filament is deposited: the first layer's height above the bed.
    public var firstLayerHeightMM: Double?
    /// The first violations of `MachineLimits` (up to the analyzer's `maxReportedViolations`).
    public var limitViolations: [GCodeLimitViolation]
    /// All violations, including those not kept.
    public var limitViolationCount: Int

    public init(sourceLines: Int, commands: Int, layers: [GCodeLayer], extrusionBounds: GCodeBoundingBox,
                moveBounds: GCodeBoundingBox, filamentMM: Double, estimatedDuration: Duration, slicerEstimate: Duration?,
                maxHotendTargetCelsius: Double?, maxBedTargetCelsius: Double?, firstLayerHeightMM: Double?,
                limitViolations: [GCodeLimitViolation], limitViolationCount: Int) {
        self.sourceLines = sourceLines
        self.commands = commands
        self.layers = layers
        self.extrusionBounds = extrusionBounds
        self.moveBounds = moveBounds
        self.filamentMM = filamentMM
        self.estimatedDuration = estimatedDuration
        self.slicerEstimate = slicerEstimate
        self.maxHotendTargetCelsius = maxHotendTargetCelsius
        self.maxBedTargetCelsius = maxBedTargetCelsius
        self.firstLayerHeightMM = firstLayerHeightMM
        self.limitViolations = limitViolations
        self.limitViolationCount = limitViolationCount
    }
}
