/// The G-code that brings a printer back to the state a print had at a layer's first line, so
/// the file can go on from that line: after a crash (power loss, firmware reset, host crash)
/// or after a pause.
///
/// Where the nozzle is decides everything, and the rule is in docs/gcode-analysis.md:
/// - **The printer kept its position** (the host crashed or the daemon restarted; the board
///   kept running and finished what it had received): `M114` says where the head is, and that
///   height is used as it is. Nothing is declared.
/// - **The printer lost its position** (a reset or a power cut: it booted assuming 0): the
///   height the print had reached is declared with `G92 Z` — the Z of the last line the firmware
///   acknowledged, which includes the moves it had planned — never the resume line's, which is
///   the height before the layer and would put the nozzle that much lower than it thinks.
/// - Either way the head first rises by `liftMM` above the highest of its height and the part,
///   then X and Y are homed (`G28 X Y`; never Z: homing Z drives the nozzle through the part),
///   and the head travels to the layer's start at that height. The prologue's own moves never
///   go lower than the head's height: the layer's first line (the move to the layer's height,
///   by the layer rule) takes it down, so a nozzle that stopped above the layer (a Z hop, a
///   parked head) reaches it by the file's own move.
/// - The nozzle heats where it stopped, before anything moves, so a nozzle frozen into the
///   last layer is freed by melting rather than torn off with the part.
///
/// This rests on assumptions a person must confirm, which is why recovery is never started
/// automatically: the part is still stuck to the bed, and nobody moved the bed or the head.
///
/// After a pause the printer kept its state; the head was parked. The prologue reheats (in
/// case the pause cooled down), goes back above the part, lowers to the layer start and
/// restores E, fans, feedrate and modes, without homing.
public enum ResumePrologue {
    /// Where the head is when the prologue starts, and what the printer still knows.
    public enum Situation: Sendable, Equatable {
        /// After a crash, on a printer that kept its position: its `M114` Z, logical.
        case positionKept(zMM: Double)
        /// After a crash, on a printer that was reset or lost power: the height to declare, logical.
        case positionLost(declaredZMM: Double)
        /// After a pause: the printer kept everything and the head is parked.
        case afterPause

        var isCrash: Bool { self != .afterPause }
    }

    /// Why no prologue can be made: recovering would drive the nozzle below the bed.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public struct Options: Sendable, Equatable {
        public var situation: Situation
        /// How far above the part the head travels to the resume point.
        public var liftMM: Double
        /// The highest Z printed so far, native (the layer's own height, or the part's top when
        /// objects are printed one after another); travel clears it too.
        public var printedHeightMM: Double?
        public var travelFeedrateMMPerMinute: Double
        public var zFeedrateMMPerMinute: Double
        /// Filament to push before resuming, to refill a nozzle that oozed or was retracted
        /// while stopped; 0 pushes none.
        public var primeLengthMM: Double
        public var primeFeedrateMMPerMinute: Double

        public init(situation: Situation, liftMM: Double = 2, printedHeightMM: Double? = nil,
                    travelFeedrateMMPerMinute: Double = 3000, zFeedrateMMPerMinute: Double = 600,
                    primeLengthMM: Double = 0, primeFeedrateMMPerMinute: Double = 300) {
            self.situation = situation
            self.liftMM = liftMM
            self.printedHeightMM = printedHeightMM
            self.travelFeedrateMMPerMinute = travelFeedrateMMPerMinute
            self.zFeedrateMMPerMinute = zFeedrateMMPerMinute
            self.primeLengthMM = primeLengthMM
            self.primeFeedrateMMPerMinute = primeFeedrateMMPerMinute
        }
    }

    /// The Z (logical) the head is left at: the layer's start after a pause; after a crash the
    /// higher of the resume state's Z and the head's height, from where the layer's first line
    /// moves to the layer.
    public static func endZ(resuming state: GCodeMachineState, options: Options) -> Double {
        switch options.situation {
        case .afterPause: state.position.zMM
        case .positionKept(let z), .positionLost(let z): max(state.position.zMM, z)
        }
    }

    /// The lines to send, in order, before the layer's first line. Each is a plain command
    /// (no comment), short and ASCII, so it passes `GCodePreflight`.
    public static func lines(toResume state: GCodeMachineState, options: Options) throws(Refusal) -> [String] {
        let bedZ = -state.originShift.zMM  // native 0, in the file's logical coordinates
        if case .positionKept(let z) = options.situation, !(z >= bedZ) {
            throw Refusal(description: "the printer reports its nozzle at Z \(number(z)), below the bed: check the printer before recovering")
        }
        if case .positionLost(let z) = options.situation, !(z >= bedZ) {
            throw Refusal(description: "the height the print reached (Z \(number(z))) is below the bed: the job cannot be recovered")
        }
        // The prologue's own moves are absolute millimetres; the print's modes come last.
        var lines = ["G21", "G90"]
        heat(state, into: &lines)
        let endZ = endZ(resuming: state, options: options)
        let printedHeight = options.printedHeightMM.map { $0 + state.originShift.zMM } ?? state.position.zMM
        let travelZ = max(endZ, printedHeight) + max(0, options.liftMM)
        let zFeedrate = "F" + number(options.zFeedrateMMPerMinute)
        let travelFeedrate = "F" + number(options.travelFeedrateMMPerMinute)
        switch options.situation {
        case .positionKept, .positionLost:
            if case .positionLost(let declared) = options.situation { lines.append("G92 Z\(number(declared))") }
            lines.append("G1 Z\(number(travelZ)) \(zFeedrate)")
            lines.append("G28 X Y")
            if state.activeTool != 0 || state.hotendTargetsCelsius.count > 1 { lines.append("T\(state.activeTool)") }
            // Homing cleared any G92 shift on X/Y: go to the native position, then shift again.
            lines.append("G1 X\(number(state.nativeXMM)) Y\(number(state.nativeYMM)) \(travelFeedrate)")
            if state.originShift.xMM != 0 || state.originShift.yMM != 0 {
                lines.append("G92 X\(number(state.position.xMM)) Y\(number(state.position.yMM))")
            }
        case .afterPause:
            lines.append("G1 Z\(number(travelZ)) \(zFeedrate)")
            lines.append("G1 X\(number(state.position.xMM)) Y\(number(state.position.yMM)) \(travelFeedrate)")
        }
        lines.append("G1 Z\(number(endZ)) \(zFeedrate)")
        if options.primeLengthMM > 0 {
            lines.append("G92 E0")
            lines.append("G1 E\(number(options.primeLengthMM)) F\(number(options.primeFeedrateMMPerMinute))")
        }
        lines.append("G92 E\(number(state.position.eMM))")
        for (fan, speed) in state.fanSpeeds.enumerated() {
            let index = fan == 0 ? "" : " P\(fan)"
            lines.append(speed > 0 ? "M106\(index) S\(speed)" : "M107\(index)")
        }
        if options.situation.isCrash {
            // After a pause the printer kept these, possibly tuned by the user: leave them.
            if state.feedratePercent != 100 { lines.append("M220 S\(state.feedratePercent)") }
            if state.flowPercent != 100 { lines.append("M221 S\(state.flowPercent)") }
        }
        lines.append("G1 F\(number(state.feedrateMMPerMinute))")
        // G90/G91 also set the extruder's mode (Marlin's set_relative_mode), so M82/M83 follow.
        if state.positioning == .relative { lines.append("G91") }
        lines.append(state.extrusion == .relative ? "M83" : "M82")
        if state.units == .inches { lines.append("G20") }
        return lines
    }

    /// Starts every heater at once, then waits: bed first (slowest), then the hotends.
    private static func heat(_ state: GCodeMachineState, into lines: inout [String]) {
        let hotends = state.hotendTargetsCelsius.enumerated().filter { $0.element > 0 }
        let tool: (Int) -> String = { state.hotendTargetsCelsius.count > 1 ? " T\($0)" : "" }
        if state.bedTargetCelsius > 0 { lines.append("M140 S\(celsius(state.bedTargetCelsius))") }
        for (index, target) in hotends { lines.append("M104\(tool(index)) S\(celsius(target))") }
        if state.chamberTargetCelsius > 0 { lines.append("M141 S\(celsius(state.chamberTargetCelsius))") }
        if state.bedTargetCelsius > 0 { lines.append("M190 S\(celsius(state.bedTargetCelsius))") }
        for (index, target) in hotends { lines.append("M109\(tool(index)) S\(celsius(target))") }
    }

    private static func number(_ value: Double) -> String { GCodeDecimal.text(value) }

    /// Marlin reads temperatures as whole degrees (`parser.value_celsius()`).
    private static func celsius(_ value: Double) -> String { GCodeDecimal.text(value, decimals: 0) }
}
