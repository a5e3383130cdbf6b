import Glibc

/// Motion: moves into the planner, where the nozzle physically goes, homing, G92, stops and
/// resets, and the motion log (`--motion-log`) that records it in physical coordinates.
///
/// Motion-log lines, three decimals, physical millimetres (see `MachineCoordinates`):
/// - `move N<line or -> z0=<start z> z1=<end z> x=<end x> y=<end y> e=<filament pushed> lz=<G-code's z>`
///   when a planner block completes (`lz`: the end Z in the G-code's own coordinates, which
///   differs from `z1` by the `G92` shift), with ` cut` appended when a quick stop (M410), a halt
///   (M112) or a reset cuts it short (its end is where the nozzle stopped); blocks still
///   waiting in the planner then never moved and are not logged;
/// - `home <axes> z=<z after>` when G28 ends;
/// - `reset z=<z>` when the board resets;
/// - `probe x=<x> y=<y> z=<z>` where the nozzle was when the probe triggered (it then rises
///   5 mm);
/// - `babystep z=<z after>` for M290.
///
/// Z 0 is the bed's surface at its centre; a move whose start or end puts the nozzle below
/// the surface under it (flat at 0 unless `--bed-shape`) by more than half a micron counts
/// in `nozzleBelowBed`.
extension VirtualMarlin {
    /// G0–G3: `get_destination_from_command()`, then a planner block. With the planner
    /// full the handler waits for a slot, and the ok waits with it.
    mutating func move(_ command: GCodeCommand, arcClockwise: Bool?) {
        var destination = position
        if let value = command.value("X") { destination.x = relativeAxes ? position.x + value : value }
        if let value = command.value("Y") { destination.y = relativeAxes ? position.y + value : value }
        if let value = command.value("Z") { destination.z = relativeAxes ? position.z + value : value }
        if let value = command.value("E") {
            let relative = extruderMode == .relative || (extruderMode == .followAxes && relativeAxes)
            destination.e = relative ? position.e + value : value
        }
        if let value = command.value("F"), value > 0 { feedrateMMPerMinute = value }

        var pathLength: Double?
        if let clockwise = arcClockwise {
            guard let length = arcLength(command, to: destination, clockwise: clockwise) else {
                printLine("Error:G2/G3 bad parameters")
                finishCommand(loggedAs: command)
                return
            }
            pathLength = length
        }
        let block = makeBlock(to: destination, pathLength: pathLength, lineNumber: queue.headLineNumber)
        position = destination
        if let block { plannedNozzle = block.end }
        if planner.hasFreeSlot {
            if let block { enterPlanner(block) }
            finishCommand(loggedAs: command)
        } else {
            activity = .waitingForPlannerSlot(block)
            nextKeepaliveAt = keepaliveIntervalNanoseconds > 0 ? nowNanoseconds + keepaliveIntervalNanoseconds : nil
        }
    }

    /// A block from the current position: duration = path length / feedrate (E's length
    /// only for a move without X, Y or Z), stretched so no axis exceeds its maximum
    /// feedrate, divided by the speedup. Nil for a move with no length. It runs from where
    /// the previous block leaves the nozzle to the destination's physical position.
    private func makeBlock(to destination: AxisPosition, pathLength: Double?, lineNumber: Int64?) -> MotionPlanner.Block? {
        let dx = abs(destination.x - position.x)
        let dy = abs(destination.y - position.y)
        let dz = abs(destination.z - position.z)
        let de = abs(destination.e - position.e)
        var length = pathLength ?? (dx * dx + dy * dy + dz * dz).squareRoot()
        if !(length > 1e-9) { length = de }
        guard length > 1e-9 else { return nil }
        let feedMMPerSecond = max(1e-6, feedrateMMPerMinute / 60 * feedratePercent / 100)
        var seconds = length / feedMMPerSecond
        let limits = VirtualMarlin.maximumFeedrateMMPerSecond
        if pathLength == nil {
            seconds = max(seconds, dx / limits.x, dy / limits.y)
        }
        seconds = max(seconds, dz / limits.z, de / limits.e)
        let end = physical(ofLogical: destination)
        return MotionPlanner.Block(
            durationNanoseconds: max(1, scaled(nanoseconds: seconds * 1e9)),
            start: plannedNozzle, end: end, lineNumber: lineNumber,
            filamentMillimetres: (destination.e - position.e) * extrusionFactor, logicalZOffset: destination.z - end.z)
    }

    /// The XY length of a G2/G3 arc (`plan_arc`), helical Z included; nil without I, J or R.
    private func arcLength(_ command: GCodeCommand, to destination: AxisPosition, clockwise: Bool) -> Double? {
        var offsetX = 0.0
        var offsetY = 0.0
        if let radius = command.value("R") {
            let dx = destination.x - position.x
            let dy = destination.y - position.y
            let distance = (dx * dx + dy * dy).squareRoot()
            guard radius != 0 && distance > 0 else { return nil }
            let direction: Double = clockwise != (radius < 0) ? -1 : 1
            let h2 = (radius - 0.5 * distance) * (radius + 0.5 * distance)
            let h = h2 >= 0 ? h2.squareRoot() : 0
            let midX = (position.x + destination.x) / 2
            let midY = (position.y + destination.y) / 2
            let centerX = midX + direction * h * (-dy / distance)
            let centerY = midY + direction * h * (dx / distance)
            offsetX = centerX - position.x
            offsetY = centerY - position.y
        } else {
            offsetX = command.value("I") ?? 0
            offsetY = command.value("J") ?? 0
        }
        guard offsetX != 0 || offsetY != 0 else { return nil }
        let radius = (offsetX * offsetX + offsetY * offsetY).squareRoot()
        let centerX = position.x + offsetX
        let centerY = position.y + offsetY
        let fromX = -offsetX
        let fromY = -offsetY
        let toX = destination.x - centerX
        let toY = destination.y - centerY
        var angle = atan2(fromX * toY - fromY * toX, fromX * toX + fromY * toY)
        if angle < 0 { angle += 2 * Double.pi }
        if clockwise { angle -= 2 * Double.pi }
        if abs(angle) < 1e-9 && abs(destination.x - position.x) < 1e-9 && abs(destination.y - position.y) < 1e-9 {
            angle = 2 * Double.pi
        }
        let flat = abs(angle) * radius
        let rise = destination.z - position.z
        return (flat * flat + rise * rise).squareRoot()
    }


    // MARK: - Planner accounting

    /// The stepper finished the last block.
    mutating func plannerRanEmpty(at instant: Int64) {
        if queue.isEmpty && starvedSince == nil {
            starvedSince = instant
        }
    }

    /// A move block enters the planner: a starvation gap, if one was open, ends here.
    mutating func enterPlanner(_ block: MotionPlanner.Block) {
        if let since = starvedSince {
            starvedNanoseconds += nowNanoseconds - since
            starvedSince = nil
        }
        planner.push(block, at: nowNanoseconds)
    }

    // MARK: - Where the nozzle is

    /// Where the nozzle physically is now: inside the running block, if one is moving.
    var physicalNozzle: AxisPosition {
        planner.physicalPosition(at: nowNanoseconds, idle: nozzle)
    }

    /// The physical position a logical one is planned to.
    func physical(ofLogical logical: AxisPosition) -> AxisPosition {
        coordinates.physical(fromLogical: logical, leveling: levelingCorrection(atLogical: logical))
    }

    /// The logical position of a physical one.
    func logical(ofPhysical physical: AxisPosition) -> AxisPosition {
        let steppers = coordinates.stepperMillimetres(ofPhysical: physical)
        return coordinates.logical(
            fromPhysical: physical,
            leveling: levelingCorrection(nativeX: steppers.x, nativeY: steppers.y, nativeZ: steppers.z))
    }

    /// The Z bed leveling adds at a native position: the mesh (plus MBL's `G29 S4`
    /// offset) faded out linearly up to the fade height (`fade_scaling_factor_for_z`); 0
    /// with leveling off or no mesh.
    func levelingCorrection(nativeX: Double, nativeY: Double, nativeZ: Double) -> Double {
        guard settings.levelingActive, let mesh = settings.mesh else { return 0 }
        var z = mesh.correction(atX: nativeX, y: nativeY)
        if configuration.leveling == .mbl { z += settings.meshZOffsetMillimetres }
        let fade = settings.fadeHeightMillimetres
        if fade > 0 { z *= max(0, 1 - nativeZ / fade) }
        return z
    }

    func levelingCorrection(atLogical logical: AxisPosition) -> Double {
        let native = coordinates.native(fromLogical: logical)
        return levelingCorrection(nativeX: native.x, nativeY: native.y, nativeZ: logical.z - coordinates.shift.z)
    }

    /// Filament really pushed per millimetre of E commanded: the error `--esteps-error`
    /// sets, scaled by the E steps per mm M92 set against the ones the extruder was built
    /// for (an e-steps calibration corrects the first with the second).
    var extrusionFactor: Double {
        (1 + configuration.extruderErrorPercent / 100) * settings.stepsPerMM.e / CalibrationSettings.defaults.stepsPerMM.e
    }

    /// The stepper finished a block: the nozzle is at its end.
    mutating func blockFinished(_ block: MotionPlanner.Block) {
        nozzle = block.end
        recordMove(block, cut: false)
    }

    /// Counts a move that ran (in full or cut) and logs it.
    private mutating func recordMove(_ block: MotionPlanner.Block, cut: Bool) {
        counters.filamentPushedMillimetres += block.filamentMillimetres
        let clearance = min(
            block.start.z - bedHeight(atX: block.start.x, y: block.start.y), block.end.z - bedHeight(atX: block.end.x, y: block.end.y))
        // Half a micron of slack: G-code's decimals do not add up exactly in binary
        // (`Z-0.3` parses a hair beyond -0.3), and -0.0004 prints as 0.000 in the log anyway.
        if clearance < -0.0005 { counters.nozzleBelowBed += 1 }
        counters.lowestZMillimetres = min(counters.lowestZMillimetres, block.start.z, block.end.z)
        guard configuration.recordsMotionLog else { return }
        var line = "move N" + (block.lineNumber.map { String($0) } ?? "-")
        line += " z0=" + VirtualMarlin.millimetres(block.start.z)
        line += " z1=" + VirtualMarlin.millimetres(block.end.z)
        line += " x=" + VirtualMarlin.millimetres(block.end.x)
        line += " y=" + VirtualMarlin.millimetres(block.end.y)
        line += " e=" + VirtualMarlin.millimetres(block.filamentMillimetres)
        line += " lz=" + VirtualMarlin.millimetres(block.end.z + block.logicalZOffset)
        if cut { line += " cut" }
        motionLog.append(line)
    }

    /// The steppers stop where they are: the running block is cut short (and logged), the
    /// blocks behind it are dropped.
    mutating func stopSteppers() {
        if let cut = planner.runningBlockCut(at: nowNanoseconds) {
            nozzle = cut.end
            recordMove(cut, cut: true)
        }
        planner.removeAll()
        plannedNozzle = nozzle
        starvedSince = nil
    }

    /// `quickstop_stepper()` (M410): the planner is emptied and the position becomes
    /// wherever the nozzle physically stopped (`set_current_from_steppers_for_axis`).
    mutating func quickStop() {
        stopSteppers()
        position = logical(ofPhysical: nozzle)
        // A move waiting for a planner slot goes in once there is room (Marlin's
        // `buffer_line` is still spinning), from where the nozzle stopped.
        if case .waitingForPlannerSlot(var block?) = activity {
            block.start = nozzle
            plannedNozzle = block.end
            position = logical(ofPhysical: block.end)
            activity = .waitingForPlannerSlot(block)
        }
    }

    /// A reset loses the position: the steppers stop wherever they are (moves still in the
    /// planner are lost), and Marlin boots believing it is at logical 0 with no shift, so
    /// native 0 is now wherever the nozzle stopped.
    mutating func loseTrackOfPosition() {
        stopSteppers()
        coordinates = MachineCoordinates()
        let boot = physical(ofLogical: .zero)
        coordinates.origin = AxisPosition(x: nozzle.x - boot.x, y: nozzle.y - boot.y, z: nozzle.z - boot.z, e: 0)
        position = .zero
        nozzle.e = 0
        plannedNozzle = nozzle
        if configuration.recordsMotionLog {
            motionLog.append("reset z=" + VirtualMarlin.millimetres(nozzle.z))
        }
    }

    /// G28 is over: leveling is off (G28 turns it off and stock Marlin does not restore
    /// it), each homed axis is physically at its minimum endstop with its shift cleared,
    /// and Z is homed with the probe, or the endstop without one (see `homeZ()`).
    mutating func finishHoming(_ axes: HomingAxes) {
        setLeveling(false)
        var names: [String] = []
        if axes.x {
            position.x = 0
            coordinates.shift.x = 0
            coordinates.origin.x = 0
            nozzle.x = 0
            homed.x = true
            names.append("X")
        }
        if axes.y {
            position.y = 0
            coordinates.shift.y = 0
            coordinates.origin.y = 0
            nozzle.y = 0
            homed.y = true
            names.append("Y")
        }
        if axes.z {
            homeZ()
            homed.z = true
            names.append("Z")
        }
        plannedNozzle = nozzle
        counters.lowestZMillimetres = min(counters.lowestZMillimetres, nozzle.z)
        if configuration.recordsMotionLog {
            motionLog.append("home " + names.joined(separator: " ") + " z=" + VirtualMarlin.millimetres(nozzle.z))
        }
    }

    /// G92: new logical coordinates for where the nozzle is; it does not move. X, Y and Z
    /// shift the workspace (`position_shift`); E sets the planner's E, which has no shift.
    mutating func setPosition(_ command: GCodeCommand) {
        if let value = command.value("X") {
            coordinates.shift.x += value - position.x
            position.x = value
        }
        if let value = command.value("Y") {
            coordinates.shift.y += value - position.y
            position.y = value
        }
        if let value = command.value("Z") {
            coordinates.shift.z += value - position.z
            position.z = value
        }
        if let value = command.value("E") {
            position.e = value
            plannedNozzle.e = value
            if planner.isEmpty { nozzle.e = value }
        }
    }

    /// Three decimals, rounded half away from zero, never `-0.000`.
    static func millimetres(_ value: Double) -> String {
        guard value.isFinite else { return "nan" }
        let thousandths = (abs(value) * 1000).rounded(.toNearestOrAwayFromZero)
        let scaled = thousandths < 9.0e18 ? UInt64(thousandths) : UInt64(9.0e18)
        let fraction = String(scaled % 1000)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        return sign + String(scaled / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
