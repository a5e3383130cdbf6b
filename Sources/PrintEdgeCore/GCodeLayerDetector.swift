/// Finds the layers of a print from its moves.
///
/// The moves are the truth, not the slicer's `;LAYER_CHANGE`/`;LAYER:` comments: many files
/// have none, and where they exist a purge line or a start script sits outside them. A
/// *printing move* deposits filament: it moves in X/Y and pushes filament beyond what an
/// earlier retraction took back (an unretract is not printing). Then:
///
/// - A layer begins at the first printing move at a Z other than the current layer's.
///   Z changes without printing (Z hops, lifts for travel, the end script) never make layers.
/// - Higher means higher by more than 0.0005 mm (slicer rounding). A printing move *lower*
///   than the current layer also begins a layer: objects printed one after another, or a
///   purge line above the first layer. Layers are therefore in print order, and `zMM` only
///   rises within one object.
/// - Vase mode (printing moves that rise while they print) would make every move a layer;
///   there a layer begins only once Z has risen by a whole layer step: the last step
///   between two flat layers, else the first layer's height (at least 0.05 mm).
/// - A layer's first line is the command that last changed Z before its first printing move
///   and after the previous layer's last one (the move to the new height, or the descent
///   after a Z hop), so restarting there moves to the right Z. When the printing move itself
///   changes Z (vase mode, or Z set on the same line), the layer starts at that move.
struct GCodeLayerDetector: Sendable {
    /// A line where a layer could begin, with what a restart there needs.
    struct Start: Sendable {
        var sourceLine: Int
        var byteOffset: Int
        var stateBefore: GCodeMachineState
        var elapsedSeconds: Double
    }

    static let sameHeightMM = 0.0005
    static let minimumSpiralStepMM = 0.05

    private(set) var layers: [GCodeLayer] = []
    private(set) var lowestPrintedZMM: Double?
    private var highestPrintedZMM: Double?
    private var lastZChange: Start?
    private var flatLayerStepMM: Double?
    private var currentLayerIsFlat = false

    /// A command changed Z (a move, `G92 Z`, homing Z).
    mutating func zChanged(_ start: Start) {
        lastZChange = start
    }

    /// A printing move; `start` describes its own line.
    mutating func printed(_ move: GCodeMove, at start: Start) {
        defer {
            lastZChange = nil
            lowestPrintedZMM = min(lowestPrintedZMM ?? move.end.zMM, move.start.zMM, move.end.zMM)
            highestPrintedZMM = max(highestPrintedZMM ?? move.end.zMM, move.start.zMM, move.end.zMM)
        }
        let z = move.end.zMM
        let isFlat = abs(move.end.zMM - move.start.zMM) <= Self.sameHeightMM
        guard let current = layers.last else {
            begin(atZMM: z, start, isFlat: isFlat)
            return
        }
        let beginsLayer: Bool
        if z < current.zMM - Self.sameHeightMM {
            beginsLayer = true
        } else if isFlat {
            beginsLayer = z > current.zMM + Self.sameHeightMM
        } else {
            beginsLayer = z >= current.zMM + spiralStepMM - Self.sameHeightMM
        }
        guard beginsLayer else { return }
        if isFlat, currentLayerIsFlat, z > current.zMM { flatLayerStepMM = z - current.zMM }
        begin(atZMM: z, start, isFlat: isFlat)
    }

    private var spiralStepMM: Double {
        max(flatLayerStepMM ?? lowestPrintedZMM ?? 0, Self.minimumSpiralStepMM)
    }

    private mutating func begin(atZMM z: Double, _ start: Start, isFlat: Bool) {
        let origin = lastZChange ?? start
        layers.append(GCodeLayer(
            index: layers.count, zMM: z, sourceLine: origin.sourceLine, byteOffset: origin.byteOffset,
            firstPrintSourceLine: start.sourceLine, resumeState: origin.stateBefore, printedHeightMM: highestPrintedZMM,
            elapsedBefore: .estimate(seconds: origin.elapsedSeconds)))
        currentLayerIsFlat = isFlat
    }
}
