/// The modal state a Marlin printer is in after a sequence of commands: where the head is,
/// how coordinates are read, the feedrate, heater targets, fans and the active tool.
///
/// It is the firmware's view, rebuilt from the G-code alone, so that analysis can follow a
/// print and a resume prologue can put a printer back where a layer starts. The rules are
/// Marlin 2.x's (`gcode.h`, `motion.cpp`, `G2_G3.cpp`, `G92.cpp`, `G28.cpp`), cited where a
/// choice depends on them. Unknown commands change nothing; so do words whose numbers do not
/// parse.
public struct GCodeMachineState: Sendable, Equatable, Codable {
    /// A set of linear axes, for homing and for knowing where the head is.
    public struct Axes: OptionSet, Sendable, Codable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let x = Axes(rawValue: 1)
        public static let y = Axes(rawValue: 2)
        public static let z = Axes(rawValue: 4)
        public static let all: Axes = [.x, .y, .z]
    }

    public enum CoordinateMode: String, Sendable, Codable {
        case absolute
        case relative
    }

    public enum Units: String, Sendable, Codable {
        case millimetres
        case inches
    }

    /// A logical position in millimetres: the coordinates G-code uses, after `G92`.
    public struct Position: Sendable, Equatable, Codable {
        public var xMM: Double
        public var yMM: Double
        public var zMM: Double
        public var eMM: Double

        public init(xMM: Double = 0, yMM: Double = 0, zMM: Double = 0, eMM: Double = 0) {
            self.xMM = xMM
            self.yMM = yMM
            self.zMM = zMM
            self.eMM = eMM
        }
    }

    /// How far `G92` shifted the logical X/Y/Z origin from the native one (logical minus
    /// native), as Marlin's `position_shift`; homing an axis resets its shift to 0.
    public struct OriginShift: Sendable, Equatable, Codable {
        public var xMM = 0.0
        public var yMM = 0.0
        public var zMM = 0.0

        public init(xMM: Double = 0, yMM: Double = 0, zMM: Double = 0) {
            self.xMM = xMM
            self.yMM = yMM
            self.zMM = zMM
        }

        public var isZero: Bool { xMM == 0 && yMM == 0 && zMM == 0 }
    }

    /// Tool and fan indexes from this one on are ignored (Marlin supports at most 8 extruders
    /// and 8 fans); this also bounds memory against a garbage `T4000000`.
    public static let toolAndFanIndexLimit = 8
    /// Marlin's power-on feedrate (`motion.cpp`: `feedrate_mm_s = MMM_TO_MMS(1500)`).
    public static let powerOnFeedrateMMPerMinute = 1500.0

    public var position = Position()
    public var originShift = OriginShift()
    /// Axes whose position follows from the G-code: homed, or given by an absolute coordinate.
    /// A relative move on an unknown axis leaves it unknown.
    public var knownAxes: Axes = []
    public var homedAxes: Axes = []
    public var positioning = CoordinateMode.absolute
    /// `M82`/`M83`; `G90`/`G91` set it too, as Marlin's `set_relative_mode` does.
    public var extrusion = CoordinateMode.absolute
    /// Values in the G-code are inches after `G20`; the state itself is always in millimetres.
    public var units = Units.millimetres
    public var feedrateMMPerMinute = GCodeMachineState.powerOnFeedrateMMPerMinute
    public var activeTool = 0
    /// Hotend target per tool index (`M104`/`M109` with `T`, else the active tool).
    public var hotendTargetsCelsius: [Double] = [0]
    public var bedTargetCelsius = 0.0
    public var chamberTargetCelsius = 0.0
    /// Fan speed per fan index (`M106 P`), 0–255.
    public var fanSpeeds: [Int] = [0]
    /// `M220 S`: the feedrate override the firmware applies to every move.
    public var feedratePercent = 100
    /// `M221 S`: the extrusion override.
    public var flowPercent = 100

    public init() {}

    /// Native X/Y/Z (logical minus the `G92` shift): what build-volume limits apply to.
    public var nativeXMM: Double { position.xMM - originShift.xMM }
    public var nativeYMM: Double { position.yMM - originShift.yMM }
    public var nativeZMM: Double { position.zMM - originShift.zMM }

    /// Updates the state with one normalised command (as `GCodeNormalizer.normalize` returns
    /// it: no comments, no line number or checksum).
    public mutating func apply(_ command: some Collection<UInt8>) {
        guard let words = GCodeWords(command) else { return }
        _ = apply(words)
    }

    /// `apply`, returning how far the command moved the extruder, in millimetres of filament
    /// as commanded (negative for a retraction); 0 for anything but a move, so `G92 E0`
    /// resetting the position counts nothing.
    public mutating func extrusion(applying command: some Collection<UInt8>) -> Double {
        guard let words = GCodeWords(command), case .move(let move) = apply(words) else { return 0 }
        return move.end.eMM - move.start.eMM
    }

    /// What a command did, for the analysis to time, measure and check it.
    enum Effect {
        case none
        case move(GCodeMove)
        case dwell(seconds: Double)
        /// The firmware waits for the planner to empty (`M400`, homing, waiting to heat).
        case synchronize
        case heaterTarget(Heater, celsius: Double, waits: Bool)
    }

    enum Heater: Equatable {
        case hotend(tool: Int)
        case bed
        case chamber
    }

    mutating func apply(_ words: GCodeWords) -> Effect {
        switch words.letter {
        case UInt8(ascii: "G"): applyG(words)
        case UInt8(ascii: "M"): applyM(words)
        default: applyT(words)
        }
    }

    private mutating func applyG(_ words: GCodeWords) -> Effect {
        guard words.subcode == nil else { return .none }
        switch words.code {
        case 0, 1: return linearMove(words)
        case 2, 3: return arcMove(words, clockwise: words.code == 2)
        case 4:
            // Marlin G4: P in milliseconds, S in seconds; S wins when both are given.
            if let seconds = words.value(UInt8(ascii: "S")) { return .dwell(seconds: max(0, seconds)) }
            return .dwell(seconds: max(0, (words.value(UInt8(ascii: "P")) ?? 0) / 1000))
        case 20: units = .inches
        case 21: units = .millimetres
        case 28: home(words)
        case 29: return .synchronize
        case 90:
            positioning = .absolute
            extrusion = .absolute
        case 91:
            positioning = .relative
            extrusion = .relative
        case 92: setPosition(words)
        default: break
        }
        return .none
    }

    private mutating func applyM(_ words: GCodeWords) -> Effect {
        guard words.subcode == nil else { return .none }
        switch words.code {
        case 0, 1, 400, 600: return .synchronize
        case 82: extrusion = .absolute
        case 83: extrusion = .relative
        case 104, 109:
            let tool = words.has(UInt8(ascii: "T")) ? words.index(UInt8(ascii: "T"), below: Self.toolAndFanIndexLimit) : activeTool
            guard let tool, let celsius = targetCelsius(words) else { return words.code == 109 ? .synchronize : .none }
            setHotendTarget(celsius, tool: tool)
            return .heaterTarget(.hotend(tool: tool), celsius: celsius, waits: words.code == 109)
        case 140, 190:
            guard let celsius = targetCelsius(words) else { return words.code == 190 ? .synchronize : .none }
            bedTargetCelsius = celsius
            return .heaterTarget(.bed, celsius: celsius, waits: words.code == 190)
        case 141, 191:
            guard let celsius = targetCelsius(words) else { return words.code == 191 ? .synchronize : .none }
            chamberTargetCelsius = celsius
            return .heaterTarget(.chamber, celsius: celsius, waits: words.code == 191)
        case 106:
            // Marlin M106 without S runs the fan at full speed.
            let speed = words.value(UInt8(ascii: "S")).map { Int(min(255, max(0, $0)).rounded()) } ?? 255
            setFanSpeed(speed, words)
        case 107: setFanSpeed(0, words)
        case 220:
            if let percent = words.value(UInt8(ascii: "S")), percent > 0 { feedratePercent = Int(percent.rounded()) }
        case 221:
            if let percent = words.value(UInt8(ascii: "S")), percent > 0 { flowPercent = Int(percent.rounded()) }
        default: break
        }
        return .none
    }

    private mutating func applyT(_ words: GCodeWords) -> Effect {
        if words.subcode == nil, words.code < Self.toolAndFanIndexLimit {
            activeTool = words.code
            // A tool change parks, swaps and primes: the planner is emptied first.
            return .synchronize
        }
        return .none
    }

    // MARK: - Motion

    private var linearFactor: Double { units == .inches ? 25.4 : 1 }

    /// The destination of a `G0`–`G3`, as Marlin's `get_destination_from_command` computes it,
    /// and the axes it makes known.
    private mutating func destination(_ words: GCodeWords) -> (Position, Axes) {
        if let feedrate = words.value(UInt8(ascii: "F")), feedrate > 0 {
            feedrateMMPerMinute = feedrate * linearFactor
        }
        var target = position
        var known = knownAxes
        let relative = positioning == .relative
        if let value = words.value(UInt8(ascii: "X")) {
            target.xMM = relative ? position.xMM + value * linearFactor : value * linearFactor
            if !relative { known.insert(.x) }
        }
        if let value = words.value(UInt8(ascii: "Y")) {
            target.yMM = relative ? position.yMM + value * linearFactor : value * linearFactor
            if !relative { known.insert(.y) }
        }
        if let value = words.value(UInt8(ascii: "Z")) {
            target.zMM = relative ? position.zMM + value * linearFactor : value * linearFactor
            if !relative { known.insert(.z) }
        }
        if let value = words.value(UInt8(ascii: "E")) {
            target.eMM = extrusion == .relative ? position.eMM + value * linearFactor : value * linearFactor
        }
        return (target, known)
    }

    private mutating func linearMove(_ words: GCodeWords) -> Effect {
        let (target, known) = destination(words)
        guard target != position || known != knownAxes else { return .none }
        let move = makeMove(to: target, known: known, arc: nil)
        position = target
        knownAxes = known
        return .move(move)
    }

    /// `G2`/`G3` as Marlin's `G2_G3.cpp` reads them: the center from `R` (R wins) or from the
    /// `I`/`J` offsets (always relative to the start, whatever `G91` says). Marlin rejects an
    /// arc whose center offset is zero and does not move at all ("G2/G3 bad parameters"), and
    /// drops one shorter than 0.001 mm; both are followed here. `P` (full circles) needs
    /// `ARC_P_CIRCLES`, off by default, and is ignored like the firmware would.
    private mutating func arcMove(_ words: GCodeWords, clockwise: Bool) -> Effect {
        let (target, known) = destination(words)
        var offsetX = 0.0, offsetY = 0.0
        if let radius = words.value(UInt8(ascii: "R")) {
            let r = radius * linearFactor
            let halfX = (target.xMM - position.xMM) / 2, halfY = (target.yMM - position.yMM) / 2
            let halfLength = Trigonometry.hypotenuse(halfX, halfY)
            if r != 0, halfLength > 0 {
                let side: Double = clockwise != (r < 0) ? -1 : 1
                let squared = (r - halfLength) * (r + halfLength)
                let height = squared >= 0 ? squared.squareRoot() : 0
                offsetX = halfX - halfY / halfLength * side * height
                offsetY = halfY + halfX / halfLength * side * height
            }
        } else {
            offsetX = (words.value(UInt8(ascii: "I")) ?? 0) * linearFactor
            offsetY = (words.value(UInt8(ascii: "J")) ?? 0) * linearFactor
        }
        guard offsetX != 0 || offsetY != 0 else { return .none }

        let radius = Trigonometry.hypotenuse(offsetX, offsetY)
        let centerX = position.xMM + offsetX, centerY = position.yMM + offsetY
        let startX = -offsetX, startY = -offsetY
        let endX = target.xMM - centerX, endY = target.yMM - centerY
        var travel = Trigonometry.arctangent(startX * endY - startY * endX, startX * endX + startY * endY)
        if travel < 0 { travel += 2 * Double.pi }
        if clockwise { travel -= 2 * Double.pi }
        let nearZero = 0.000001
        if abs(travel) < nearZero, abs(position.xMM - target.xMM) < nearZero, abs(position.yMM - target.yMM) < nearZero {
            travel = 2 * Double.pi
        }
        let arc = GCodeMove.Arc(centerXMM: centerX - originShift.xMM, centerYMM: centerY - originShift.yMM,
                                radiusMM: radius, angularTravelRadians: travel)
        let move = makeMove(to: target, known: known, arc: arc)
        guard move.pathLengthMM >= 0.001 else { return .none }
        position = target
        knownAxes = known
        return .move(move)
    }

    private func makeMove(to target: Position, known: Axes, arc: GCodeMove.Arc?) -> GCodeMove {
        GCodeMove(
            start: .init(xMM: nativeXMM, yMM: nativeYMM, zMM: nativeZMM, eMM: position.eMM),
            end: .init(xMM: target.xMM - originShift.xMM, yMM: target.yMM - originShift.yMM,
                       zMM: target.zMM - originShift.zMM, eMM: target.eMM),
            arc: arc,
            feedrateMMPerSecond: feedrateMMPerMinute / 60 * Double(feedratePercent) / 100,
            knownAxes: known)
    }

    /// `G28`: the named axes (all when none is named) end at their home position, taken as 0
    /// (a min endstop at the bed's origin). With `Z_SAFE_HOMING` Marlin leaves X/Y at the bed
    /// center after homing Z; the next absolute move makes that irrelevant for analysis.
    private mutating func home(_ words: GCodeWords) {
        var axes: Axes = []
        if words.has(UInt8(ascii: "X")) { axes.insert(.x) }
        if words.has(UInt8(ascii: "Y")) { axes.insert(.y) }
        if words.has(UInt8(ascii: "Z")) { axes.insert(.z) }
        if axes.isEmpty { axes = .all }
        if axes.contains(.x) { position.xMM = 0; originShift.xMM = 0 }
        if axes.contains(.y) { position.yMM = 0; originShift.yMM = 0 }
        if axes.contains(.z) { position.zMM = 0; originShift.zMM = 0 }
        homedAxes.formUnion(axes)
        knownAxes.formUnion(axes)
    }

    /// `G92`: declares the current position to be the given coordinates without moving. For
    /// X/Y/Z the difference goes into the origin shift (Marlin's `position_shift`), so native
    /// positions and limits stay right; `E` is simply reset. Without arguments Marlin does
    /// nothing, and neither does this.
    private mutating func setPosition(_ words: GCodeWords) {
        if let value = words.value(UInt8(ascii: "X")) {
            originShift.xMM += value * linearFactor - position.xMM
            position.xMM = value * linearFactor
        }
        if let value = words.value(UInt8(ascii: "Y")) {
            originShift.yMM += value * linearFactor - position.yMM
            position.yMM = value * linearFactor
        }
        if let value = words.value(UInt8(ascii: "Z")) {
            originShift.zMM += value * linearFactor - position.zMM
            position.zMM = value * linearFactor
        }
        if let value = words.value(UInt8(ascii: "E")) {
            position.eMM = value * linearFactor
        }
    }

    // MARK: - Heaters and fans

    /// `S` sets the target; `M109 R`/`M190 R` set it too (and also wait while cooling).
    private func targetCelsius(_ words: GCodeWords) -> Double? {
        guard let celsius = words.value(UInt8(ascii: "S")) ?? words.value(UInt8(ascii: "R")), celsius >= 0 else { return nil }
        return celsius
    }

    private mutating func setHotendTarget(_ celsius: Double, tool: Int) {
        while hotendTargetsCelsius.count <= tool { hotendTargetsCelsius.append(0) }
        hotendTargetsCelsius[tool] = celsius
    }

    private mutating func setFanSpeed(_ speed: Int, _ words: GCodeWords) {
        let fan = words.has(UInt8(ascii: "P")) ? words.index(UInt8(ascii: "P"), below: Self.toolAndFanIndexLimit) : 0
        guard let fan else { return }
        while fanSpeeds.count <= fan { fanSpeeds.append(0) }
        fanSpeeds[fan] = speed
    }
}
