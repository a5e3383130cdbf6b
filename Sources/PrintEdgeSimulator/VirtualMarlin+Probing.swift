import Glibc
import PrintEdgeCore

/// The probe and what uses it: homing Z, G30, M48, G35 (module/probe.cpp,
/// gcode/probe/G30.cpp, gcode/calibrate/M48.cpp, gcode/bedlevel/G35.cpp, Marlin 2.1).
///
/// The probe sits at the nozzle plus M851's offset and triggers where its tip meets the
/// bed (`BedSurface`), scattered by `probeScatterMillimetres` (normal, seeded). Its real
/// Z offset is the compiled-in M851 Z minus `zOffsetErrorMillimetres`, so homing Z with
/// it leaves the nozzle that far from where Marlin believes it is until M851 Z (or
/// M290's babysteps) corrects it. Marlin's `measured_z` is the steppers' Z at the trigger
/// plus M851 Z, so it does not depend on that error.
///
/// Simpler than Marlin: a probing command is worked out when it starts; its output leaves,
/// and its `ok` follows, once `probeTouchDuration` per touch has passed (`busy:` meanwhile).
/// Each touch ends with the nozzle Z_CLEARANCE_BETWEEN_PROBES (5 mm) above the trigger
/// point; Z homes where the probe is once X and Y are home (no Z_SAFE_HOMING move).
extension VirtualMarlin {
    /// PROBING_MARGIN (and MESH_INSET): how far probe points stay from the bed's edges.
    static let probingMarginMillimetres = 10.0
    /// Z_CLEARANCE_BETWEEN_PROBES.
    static let probeClearanceMillimetres = 5.0

    /// Where the probe really triggers relative to the nozzle.
    var trueProbeOffsetZ: Double {
        CalibrationSettings.defaults.probeOffset.z - configuration.zOffsetErrorMillimetres
    }

    /// The bed's height at a physical X, Y.
    func bedHeight(atX x: Double, y: Double) -> Double {
        let (width, depth) = (configuration.bedWidthMillimetres, configuration.bedDepthMillimetres)
        return configuration.bedSurface.height(atX: x, y: y, width: width, depth: depth, seed: configuration.seed)
            + bedScrews.offset(atX: x, y: y, width: width, depth: depth)
    }

    /// Homing Z: with a probe, where it triggers under its current place, Marlin taking
    /// that as Z = -M851 Z; without, the endstop, off by the Z offset error.
    mutating func homeZ() {
        coordinates.shift.z = 0
        coordinates.babystepZ = 0
        babystepTotalMillimetres = 0
        if configuration.leveling.hasProbe {
            nozzle.z = bedHeight(atX: nozzle.x + settings.probeOffset.x, y: nozzle.y + settings.probeOffset.y) - trueProbeOffsetZ
            position.z = -settings.probeOffset.z
        } else {
            nozzle.z = configuration.zOffsetErrorMillimetres
            position.z = 0
        }
        coordinates.origin.z = nozzle.z - position.z
    }

    /// `homing_needed_error()`: `echo:Home XYZ First` naming the axes not homed; true if it
    /// printed.
    mutating func refusesUnhomed() -> Bool {
        var missing = ""
        if !homed.x { missing += "X" }
        if !homed.y { missing += "Y" }
        if !homed.z { missing += "Z" }
        guard !missing.isEmpty else { return false }
        printLine(string: "echo:Home \(missing) First")
        return true
    }

    /// The probe bounds of `probe.min_x()`…`max_x()`: inside the margin and where the
    /// nozzle can take it.
    var probeBounds: (minX: Double, maxX: Double, minY: Double, maxY: Double) {
        let margin = VirtualMarlin.probingMarginMillimetres
        let offset = settings.probeOffset
        return (
            max(margin, offset.x), min(configuration.bedWidthMillimetres - margin, configuration.bedWidthMillimetres + offset.x),
            max(margin, offset.y), min(configuration.bedDepthMillimetres - margin, configuration.bedDepthMillimetres + offset.y))
    }

    /// `probe.can_reach()` for a native probe position.
    func probeCanReach(x: Double, y: Double) -> Bool {
        let bounds = probeBounds
        let slop = 0.0001
        let nozzleX = x - settings.probeOffset.x
        let nozzleY = y - settings.probeOffset.y
        return nozzleX >= -slop && nozzleX <= configuration.bedWidthMillimetres + slop
            && nozzleY >= -slop && nozzleY <= configuration.bedDepthMillimetres + slop
            && x >= bounds.minX - slop && x <= bounds.maxX + slop && y >= bounds.minY - slop && y <= bounds.maxY + slop
    }

    /// One touch with the probe at native X, Y: the nozzle goes there, descends until the
    /// probe triggers, and rises by the clearance. Marlin's `measured_z`; nil if out of reach.
    mutating func probeTouch(atX x: Double, y: Double) -> Double? {
        guard probeCanReach(x: x, y: y) else { return nil }
        // Marlin takes its position from the steppers after a touch: babysteps become real.
        position.z += coordinates.babystepZ
        coordinates.babystepZ = 0
        var above = position
        above.x = x - settings.probeOffset.x + coordinates.shift.x
        above.y = y - settings.probeOffset.y + coordinates.shift.y
        let nozzleAbove = physical(ofLogical: above)
        let probeX = nozzleAbove.x + settings.probeOffset.x
        let probeY = nozzleAbove.y + settings.probeOffset.y
        let triggerZ = bedHeight(atX: probeX, y: probeY) + scatter() - trueProbeOffsetZ
        let stepperZ = triggerZ - coordinates.origin.z
        counters.lowestZMillimetres = min(counters.lowestZMillimetres, triggerZ)
        if configuration.recordsMotionLog {
            motionLog.append(
                "probe x=" + VirtualMarlin.millimetres(nozzleAbove.x) + " y=" + VirtualMarlin.millimetres(nozzleAbove.y)
                    + " z=" + VirtualMarlin.millimetres(triggerZ))
        }
        nozzle = AxisPosition(
            x: nozzleAbove.x, y: nozzleAbove.y, z: triggerZ + VirtualMarlin.probeClearanceMillimetres, e: nozzle.e)
        plannedNozzle = nozzle
        position = logical(ofPhysical: nozzle)
        return stepperZ + settings.probeOffset.z
    }

    /// A normal sample with the probe's scatter as its standard deviation (Box–Muller).
    private mutating func scatter() -> Double {
        guard configuration.probeScatterMillimetres > 0 else { return 0 }
        let u1 = (Double(probeScatter.next() >> 11) + 1) / Double(1 << 53)
        let u2 = Double(probeScatter.next() >> 11) / Double(1 << 53)
        return configuration.probeScatterMillimetres * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Turns leveling on or off; the nozzle stays, so the logical Z takes the difference
    /// (`set_bed_leveling_enabled()`).
    mutating func setLeveling(_ enabled: Bool) {
        guard settings.levelingActive != enabled else { return }
        let before = levelingCorrection(atLogical: position)
        settings.levelingActive = enabled
        position.z += before - levelingCorrection(atLogical: position)
    }

    /// The handler's output so far waits until `touches` probe touches have taken their
    /// time; then it is sent and the command acknowledged.
    mutating func finishProbing(touches: Int) {
        let output = takeHeldOutput()
        let nanoseconds = scaled(nanoseconds: Double(configuration.probeTouchDuration.nanosecondsClamped) * Double(max(0, touches)))
        starvedSince = nil
        nextKeepaliveAt = keepaliveIntervalNanoseconds > 0 ? nowNanoseconds + keepaliveIntervalNanoseconds : nil
        activity = .probing(until: nowNanoseconds + nanoseconds, output: output)
    }

    // MARK: - G30

    /// G30 [X] [Y]: one touch at the given probe position (default: where the nozzle is),
    /// leveling left off, then the position report. bugfix refuses silently when not homed
    /// and returns to where it started.
    mutating func probeOnce(_ command: GCodeCommand) {
        if configuration.marlinVersion == .bugfix && !(homed.x && homed.y && homed.z) { return finishCommand(loggedAs: command) }
        let x = command.value("X").map { $0 - coordinates.shift.x } ?? (position.x - coordinates.shift.x)
        let y = command.value("Y").map { $0 - coordinates.shift.y } ?? (position.y - coordinates.shift.y)
        guard probeCanReach(x: x, y: y) else {
            printLine("Z Probe Past Bed")
            return finishCommand(loggedAs: command)
        }
        holdOutput()
        setLeveling(false)
        let start = position
        let measured = probeTouch(atX: x, y: y) ?? .nan
        beginLine()
        if configuration.marlinVersion == .bugfix {
            append("Bed X:")
            appendFloat(x + coordinates.shift.x, decimals: 2)
            append(" Y:")
            appendFloat(y + coordinates.shift.y, decimals: 2)
            append(" Z:")
            appendFloat(measured, decimals: 3)
            endLine()
            var back = position
            back.x = command.value("X") ?? start.x
            back.y = command.value("Y") ?? start.y
            nozzle = physical(ofLogical: back)
            plannedNozzle = nozzle
            position = back
        } else {
            append("Bed X: ")
            appendFloat(x + coordinates.shift.x, decimals: 2)
            append(" Y: ")
            appendFloat(y + coordinates.shift.y, decimals: 2)
            append(" Z: ")
            appendFloat(measured, decimals: 2)
            endLine()
        }
        printPosition()
        finishProbing(touches: 1)
    }

    // MARK: - M48

    /// M48 [P4-50] [V0-4] [X] [Y] [L0-15] [S] [E]: one touch to position the probe, then P
    /// samples, with Marlin's statistics (6-decimal mean and deviation, 3-decimal extremes).
    mutating func probeRepeatability(_ command: GCodeCommand) {
        guard !refusesUnhomed() else { return finishCommand(loggedAs: command) }
        let verbose = command.value("V").map(VirtualMarlin.clampedInt64) ?? 1
        guard (0...4).contains(verbose) else {
            printLine("?(V)erbose level implausible (0-4).")
            return finishCommand(loggedAs: command)
        }
        if verbose > 0 { printLine("M48 Z-Probe Repeatability Test") }
        let samples = Int(command.value("P").map(VirtualMarlin.clampedInt64) ?? 10)
        guard (4...50).contains(samples) else {
            printLine("?Sample size not plausible (4-50).")
            return finishCommand(loggedAs: command)
        }
        let x = command.value("X").map { $0 - coordinates.shift.x } ?? (position.x - coordinates.shift.x + settings.probeOffset.x)
        let y = command.value("Y").map { $0 - coordinates.shift.y } ?? (position.y - coordinates.shift.y + settings.probeOffset.y)
        guard probeCanReach(x: x, y: y) else {
            printLine("? (X,Y) out of bounds.")
            return finishCommand(loggedAs: command)
        }
        if let legs = command.value("L"), !(0...15).contains(VirtualMarlin.clampedInt64(legs)) {
            printLine("?Legs of movement implausible (0-15).")
            return finishCommand(loggedAs: command)
        }
        holdOutput()
        if verbose > 2 { printLine("Positioning the probe...") }
        let wasLeveling = settings.levelingActive
        setLeveling(false)
        let first = probeTouch(atX: x, y: y) ?? .nan
        if verbose > 2 { printBedPoint(x: x, y: y, z: first) }
        var values: [Double] = []
        var mean = 0.0
        var sigma = 0.0
        for index in 0..<samples {
            let z = probeTouch(atX: x, y: y) ?? .nan
            values.append(z)
            mean = values.reduce(0, +) / Double(values.count)
            sigma = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            guard verbose > 1 else { continue }
            beginLine()
            append(index + 1)
            append(" of ")
            append(samples)
            append(": z: ")
            appendFloat(z, decimals: 3)
            append(" ")
            if verbose > 2 {
                appendDeviationReport(mean: mean, sigma: sigma, values: values, final: false)
            }
            endLine()
        }
        printLine("Finished!")
        if verbose > 0 {
            beginLine()
            appendDeviationReport(mean: mean, sigma: sigma, values: values, final: true)
            endLine()
        }
        beginLine()
        append("Standard Deviation: ")
        appendFloat(sigma, decimals: 6)
        endLine()
        printLine("")
        setLeveling(wasLeveling)
        printPosition()
        finishProbing(touches: samples + 1)
    }

    /// `Mean: … [Sigma: …] Min: … Max: … Range: …`.
    private mutating func appendDeviationReport(mean: Double, sigma: Double, values: [Double], final: Bool) {
        let low = values.min() ?? 0
        let high = values.max() ?? 0
        append("Mean: ")
        appendFloat(mean, decimals: 6)
        if !final {
            append(" Sigma: ")
            appendFloat(sigma, decimals: 6)
        }
        append(" Min: ")
        appendFloat(low, decimals: 3)
        append(" Max: ")
        appendFloat(high, decimals: 3)
        append(" Range: ")
        appendFloat(high - low, decimals: 3)
    }

    /// `Bed X: 110.00 Y: 110.00 Z: 0.14` (`probe_at_point` with verbose level above 2).
    mutating func printBedPoint(x: Double, y: Double, z: Double) {
        beginLine()
        append("Bed X: ")
        appendFloat(x + coordinates.shift.x, decimals: 2)
        append(" Y: ")
        appendFloat(y + coordinates.shift.y, decimals: 2)
        append(" Z: ")
        appendFloat(z, decimals: 2)
        endLine()
    }

    // MARK: - G35

    /// TRAMMING_POINT_NAME_1…4.
    static let trammingPointNames = ["Front-Left", "Front-Right", "Back-Right", "Back-Left"]

    /// G35 [S30|31|40|41|50|51]: homes, probes the four TRAMMING_POINT_XY (stock
    /// {20,20} {180,20} {180,180} {20,180} on a 220 mm bed, here 40 mm in from the far
    /// edges), and tells how to turn each screw against the first: minutes are 1/60 turn,
    /// truncated. Z is unhomed afterwards.
    mutating func assistedTramming(_ command: GCodeCommand) {
        let thread = command.value("S").map(VirtualMarlin.clampedInt64) ?? 30
        guard (30...51).contains(thread), thread % 10 <= 1 else {
            printLine("?(S)crew thread must be 30, 31, 40, 41, 50, or 51.")
            return finishCommand(loggedAs: command)
        }
        holdOutput()
        setLeveling(false)
        finishHoming(HomingAxes(x: true, y: true, z: true))
        let width = configuration.bedWidthMillimetres
        let depth = configuration.bedDepthMillimetres
        let points = [(20.0, 20.0), (width - 40, 20.0), (width - 40, depth - 40), (20.0, depth - 40)]
        var measured: [Double] = []
        for (index, point) in points.enumerated() {
            guard let z = probeTouch(atX: point.0, y: point.1) else {
                beginLine()
                append("G35 failed at point ")
                append(index)
                append(" (")
                append(string: VirtualMarlin.trammingPointNames[index])
                append(") X")
                appendFloat(point.0, decimals: 2)
                append(" Y")
                appendFloat(point.1, decimals: 2)
                endLine()
                printLine("G35 aborted.")
                break
            }
            measured.append(z)
        }
        if measured.count == points.count {
            let pitch = [0.5, 0.7, 0.8][Int(thread - 30) / 10]
            for index in 1..<points.count {
                let difference = measured[0] - measured[index]
                let adjust = abs(difference) < 0.001 ? 0 : difference / pitch
                let turns = Int(adjust.rounded(.towardZero))
                let minutes = Int(((adjust - Double(turns)) * 60).rounded(.towardZero))
                beginLine()
                append("Turn ")
                append(string: VirtualMarlin.trammingPointNames[index])
                append((thread & 1 == 1) == (adjust > 0) ? " CCW" : " CW")
                append(" by ")
                append(abs(turns))
                append(" turns")
                if minutes != 0 {
                    append(" and ")
                    append(abs(minutes))
                    append(" minutes")
                }
                endLine()
            }
        }
        homed.z = false
        finishProbing(touches: 1 + measured.count)
    }
}
