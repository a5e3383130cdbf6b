/// Analyses a G-code file in one streaming pass: feed it every raw line in order, then call
/// `finish()`. Memory does not grow with the file, except for one `GCodeLayer` per layer and
/// the first few limit violations.
///
/// The analyzer follows the printer's state line by line (`GCodeMachineState`), finds layers
/// (`GCodeLayerDetector`), times the moves (`GCodePrintTimeEstimator`), checks machine limits
/// (`GCodeLimitCheck`) and reads the slicer's own estimate (`SlicerEstimateScanner`).
public struct GCodeAnalyzer: Sendable {
    public struct Options: Sendable, Equatable {
        /// Acceleration for the time estimate; `nil` times moves at their feedrate only.
        public var accelerationMMPerSecondSquared: Double?
        /// Marlin's `JUNCTION_DEVIATION_MM`: how fast the head may take a corner.
        public var junctionDeviationMM: Double
        /// Limits to check the file against; `nil` checks nothing.
        public var limits: MachineLimits?
        public var maxReportedViolations: Int

        public init(accelerationMMPerSecondSquared: Double? = 1000, junctionDeviationMM: Double = 0.013,
                    limits: MachineLimits? = nil, maxReportedViolations: Int = 20) {
            self.accelerationMMPerSecondSquared = accelerationMMPerSecondSquared
            self.junctionDeviationMM = junctionDeviationMM
            self.limits = limits
            self.maxReportedViolations = maxReportedViolations
        }
    }

    public let options: Options
    public private(set) var state = GCodeMachineState()
    public private(set) var sourceLines = 0
    public private(set) var commands = 0
    private var layers = GCodeLayerDetector()
    private var estimator: GCodePrintTimeEstimator
    private var limitCheck: GCodeLimitCheck?
    private var slicerEstimate = SlicerEstimateScanner()
    private var extrusionBounds = GCodeBoundingBox()
    private var moveBounds = GCodeBoundingBox()
    private var filamentMM = 0.0
    /// Filament taken back by retractions and not yet pushed again.
    private var retractedMM = 0.0
    private var maxHotendTargetCelsius: Double?
    private var maxBedTargetCelsius: Double?

    public init(options: Options = Options()) {
        self.options = options
        estimator = GCodePrintTimeEstimator(accelerationMMPerSecondSquared: options.accelerationMMPerSecondSquared,
                                            junctionDeviationMM: options.junctionDeviationMM)
        limitCheck = options.limits.map { GCodeLimitCheck(limits: $0, maxKept: max(0, options.maxReportedViolations)) }
    }

    /// One raw line of the file, without its newline (a trailing CR is fine); `byteOffset` is
    /// the offset of its first byte in the file.
    public mutating func consume(rawLine: some Collection<UInt8>, byteOffset: Int) {
        sourceLines += 1
        if Self.isCommentLine(rawLine) {
            slicerEstimate.comment(rawLine)
            return
        }
        guard let command = GCodeNormalizer.normalize(rawLine) else { return }
        commands += 1
        guard let words = GCodeWords(command) else { return }
        slicerEstimate.command(words)

        let before = state
        let effect = state.apply(words)
        let start = GCodeLayerDetector.Start(sourceLine: sourceLines, byteOffset: byteOffset, stateBefore: before,
                                             elapsedSeconds: estimator.finishedSeconds)
        if state.position.zMM != before.position.zMM || state.nativeZMM != before.nativeZMM {
            layers.zChanged(start)
        }
        switch effect {
        case .none:
            break
        case .move(let move):
            measure(move, start: start, command: command)
        case .dwell(let seconds):
            estimator.dwell(seconds: seconds)
        case .synchronize:
            estimator.stop()
        case .heaterTarget(let heater, let celsius, let waits):
            if waits { estimator.stop() }
            switch heater {
            case .hotend: maxHotendTargetCelsius = max(maxHotendTargetCelsius ?? celsius, celsius)
            case .bed: maxBedTargetCelsius = max(maxBedTargetCelsius ?? celsius, celsius)
            case .chamber: break
            }
            limitCheck?.check(heater, celsius: celsius, sourceLine: sourceLines, command: command)
        }
    }

    public func finish() -> GCodeAnalysis {
        GCodeAnalysis(
            sourceLines: sourceLines, commands: commands, layers: layers.layers,
            extrusionBounds: extrusionBounds, moveBounds: moveBounds, filamentMM: filamentMM,
            estimatedDuration: .estimate(seconds: estimator.totalSeconds), slicerEstimate: slicerEstimate.estimate,
            maxHotendTargetCelsius: maxHotendTargetCelsius, maxBedTargetCelsius: maxBedTargetCelsius,
            firstLayerHeightMM: layers.lowestPrintedZMM,
            limitViolations: limitCheck?.violations ?? [], limitViolationCount: limitCheck?.violationCount ?? 0)
    }

    private mutating func measure(_ move: GCodeMove, start: GCodeLayerDetector.Start, command: [UInt8]) {
        let extrusion = move.extrusionMM
        var depositedMM = 0.0
        if extrusion < 0 {
            retractedMM -= extrusion
        } else if extrusion > 0 {
            let unretracted = min(retractedMM, extrusion)
            retractedMM -= unretracted
            depositedMM = extrusion - unretracted
            filamentMM += depositedMM
        }
        move.forEachExtreme { moveBounds.include($0, known: move.knownAxes) }
        if depositedMM > 0, move.planarLengthMM > 0 {
            extrusionBounds.include(move.start, known: start.stateBefore.knownAxes)
            move.forEachExtreme { extrusionBounds.include($0, known: move.knownAxes) }
            layers.printed(move, at: start)
        }
        limitCheck?.check(move, sourceLine: sourceLines, command: command)
        estimator.add(move)
    }

    private static func isCommentLine(_ rawLine: some Collection<UInt8>) -> Bool {
        for byte in rawLine where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") {
            return byte == UInt8(ascii: ";")
        }
        return false
    }
}
