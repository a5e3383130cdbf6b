/// Marlin's planner ring and the stepper that drains it, reduced to timing: each block is
/// a straight move of known duration (distance / feedrate, no acceleration), executed one
/// after another.
///
/// - The ring has BLOCK_BUFFER_SIZE slots and, like Marlin's, keeps one free to tell full
///   from empty: it holds BLOCK_BUFFER_SIZE - 1 moves, and ADVANCED_OK's `P` (`moves_free()`
///   = BLOCK_BUFFER_SIZE - 1 - movesplanned()) reads 15 on an idle 16-block planner.
/// - A block stays in the ring while it executes.
/// - When a block lands in an empty planner the stepper holds it back for
///   BLOCK_DELAY_FOR_1ST_MOVE (100 ms) unless three moves are queued first
///   (`Planner::get_current_block`), giving the planner a chance to look ahead.
struct MotionPlanner: Sendable {
    struct Block: Sendable {
        var durationNanoseconds: Int64
        /// Where the nozzle physically is when the block starts and ends (X, Y, Z in
        /// machine coordinates, not G-code's; E as the planner counts it).
        var start: AxisPosition
        var end: AxisPosition
        /// The `N` of the command that planned it; nil for an unnumbered command.
        var lineNumber: Int64?
        /// Filament the extruder really pushes over the whole block (negative: retracts).
        var filamentMillimetres: Double
        /// G-code's Z minus the machine's (the `G92` shift when the block was planned): the Z
        /// the file believed it printed at, for the motion log.
        var logicalZOffset = 0.0
    }

    let capacity: Int
    private var blocks: [Block]
    private var tail = 0
    private(set) var count = 0
    /// When the block at the tail started moving; nil while the stepper is idle.
    private var runningSince: Int64?
    /// Until when a first block is held back.
    private var holdUntil: Int64?
    let firstMoveDelayNanoseconds: Int64

    init(blockBufferSize: Int, firstMoveDelayNanoseconds: Int64) {
        let size = max(2, blockBufferSize)
        capacity = size - 1
        blocks = [Block](
            repeating: Block(durationNanoseconds: 0, start: .zero, end: .zero, lineNumber: nil, filamentMillimetres: 0), count: capacity)
        self.firstMoveDelayNanoseconds = max(0, firstMoveDelayNanoseconds)
    }

    var isEmpty: Bool { count == 0 }
    var hasFreeSlot: Bool { count < capacity }
    /// `moves_free()`.
    var movesFree: Int { capacity - count }

    /// The next instant the planner changes by itself: a block finishing or a held first
    /// block being released.
    var nextEventNanoseconds: Int64? {
        if let runningSince { return runningSince + blocks[tail].durationNanoseconds }
        return holdUntil
    }

    mutating func push(_ block: Block, at instant: Int64) {
        precondition(hasFreeSlot, "MotionPlanner.push with all \(capacity) blocks taken")
        var slot = tail + count
        if slot >= capacity { slot -= capacity }
        blocks[slot] = block
        count += 1
        if runningSince == nil {
            if count == 1 && firstMoveDelayNanoseconds > 0 {
                holdUntil = instant + firstMoveDelayNanoseconds
            } else if holdUntil == nil || count >= 3 {
                holdUntil = nil
                runningSince = instant
            }
        }
    }

    /// The running block, if it finished by `instant`, with the instant it did: it leaves
    /// the ring and the next one starts then. Call until nil to run the stepper up to
    /// `instant`.
    mutating func finishBlock(by instant: Int64) -> (block: Block, finishedAt: Int64)? {
        if runningSince == nil, let hold = holdUntil, hold <= instant {
            holdUntil = nil
            runningSince = hold
        }
        guard let started = runningSince else { return nil }
        let block = blocks[tail]
        let finished = started + block.durationNanoseconds
        guard finished <= instant else { return nil }
        tail += 1
        if tail == capacity { tail = 0 }
        count -= 1
        runningSince = count > 0 ? finished : nil
        return (block, finished)
    }

    /// Where the tool physically is: inside the running block, interpolated.
    func physicalPosition(at instant: Int64, idle: AxisPosition) -> AxisPosition {
        guard count > 0 else { return idle }
        let block = blocks[tail]
        guard runningSince != nil else { return block.start }
        return block.start.interpolated(to: block.end, fraction: runningFraction(at: instant))
    }

    /// The part of the running block done by `instant`, if one is moving: what a quick
    /// stop or a reset leaves of it. A block still held back, or starting only now, has
    /// not moved.
    func runningBlockCut(at instant: Int64) -> Block? {
        guard count > 0, let started = runningSince, instant > started else { return nil }
        var block = blocks[tail]
        let fraction = runningFraction(at: instant)
        block.end = block.start.interpolated(to: block.end, fraction: fraction)
        block.filamentMillimetres *= fraction
        return block
    }

    private func runningFraction(at instant: Int64) -> Double {
        guard let started = runningSince else { return 0 }
        let duration = blocks[tail].durationNanoseconds
        return duration > 0 ? min(1, max(0, Double(instant - started) / Double(duration))) : 1
    }

    /// Babysteps move the Z stepper under every block still to run.
    mutating func shiftZ(by millimetres: Double) {
        for offset in 0..<count {
            var slot = tail + offset
            if slot >= capacity { slot -= capacity }
            blocks[slot].start.z += millimetres
            blocks[slot].end.z += millimetres
        }
    }

    /// `planner.quick_stop()`: drops every block, the running one included.
    mutating func removeAll() {
        tail = 0
        count = 0
        runningSince = nil
        holdUntil = nil
    }
}

/// A position of the four logical axes, in millimetres.
struct AxisPosition: Sendable, Equatable {
    var x: Double
    var y: Double
    var z: Double
    var e: Double

    static let zero = AxisPosition(x: 0, y: 0, z: 0, e: 0)

    func interpolated(to other: AxisPosition, fraction: Double) -> AxisPosition {
        AxisPosition(
            x: x + (other.x - x) * fraction, y: y + (other.y - y) * fraction,
            z: z + (other.z - z) * fraction, e: e + (other.e - e) * fraction)
    }
}
