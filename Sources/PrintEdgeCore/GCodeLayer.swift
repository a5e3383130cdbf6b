/// One layer of a print, and everything needed to restart the print at its first line.
///
/// A layer starts at the command that set Z to the layer's height (so a restart there moves
/// to the right Z itself), or at its first printing move when that move is what changes Z
/// (vase mode). The full rule is in docs/gcode-analysis.md.
public struct GCodeLayer: Sendable, Equatable, Codable {
    /// 0 for the first layer, in print order.
    public var index: Int
    /// Native Z of the layer's first printing move, in mm.
    public var zMM: Double
    /// 1-based line number of the layer's first line.
    public var sourceLine: Int
    /// Offset in the file of the first byte of that line, to seek there.
    public var byteOffset: Int
    /// 1-based line number of the layer's first printing move: before it, nothing of the
    /// layer is on the bed (for the first layer: nothing at all, so there is nothing to recover).
    public var firstPrintSourceLine: Int
    /// The printer state just before that line: what a resume prologue restores.
    public var resumeState: GCodeMachineState
    /// The highest Z deposited before this layer, in native mm: what the head must clear
    /// when travelling over the part (higher than `zMM` when objects are printed one by one).
    public var printedHeightMM: Double?
    /// Estimated print time before this layer starts (same model as `estimatedDuration`).
    public var elapsedBefore: Duration

    public init(index: Int, zMM: Double, sourceLine: Int, byteOffset: Int, firstPrintSourceLine: Int,
                resumeState: GCodeMachineState, printedHeightMM: Double?, elapsedBefore: Duration) {
        self.index = index
        self.zMM = zMM
        self.sourceLine = sourceLine
        self.byteOffset = byteOffset
        self.firstPrintSourceLine = firstPrintSourceLine
        self.resumeState = resumeState
        self.printedHeightMM = printedHeightMM
        self.elapsedBefore = elapsedBefore
    }
}
