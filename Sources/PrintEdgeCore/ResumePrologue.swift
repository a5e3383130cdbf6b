/// The G-code that brings a printer back to the state a print had at a layer's first line, so
/// the file can go on from that line: after a crash (power loss, firmware reset, host crash)
/// or after a pause.
///
/// After a crash the printer may have been reset and knows nothing: not its position, not its
/// targets, not the modes. The prologue rests on assumptions a person must confirm, which is
/// why recovery is never started automatically:
/// - the part is still stuck to the bed, and nobody moved the bed or the head since the stop,
///   so Z is still where the print left it. Z is never homed: on most printers homing Z drives
///   the nozzle down onto the bed, through the part. `G92 Z` declares the old height instead.
/// - X and Y can be homed (`G28 X Y`): the head travels at the height the print left it plus
///   the lift, clear of the part.
/// - the nozzle is heated where it stopped, before anything moves, so a nozzle frozen into
///   the last layer is freed by melting rather than torn off with the part.
///
/// After a pause the printer kept its state; the head was parked. The prologue reheats (in
/// case the pause cooled down), goes back above the part, lowers to the layer start and
/// restores E, fans, feedrate and modes, without homing.
public enum ResumePrologue {
    public enum Situation: String, Sendable, Codable {
        case afterCrash
        case afterPause
    }

    public struct Options: Sendable, Equatable {
        public var situation: Situation
        /// How far above the part the head travels to the resume point.
        public var liftMM: Double
        /// The highest Z printed so far (`GCodeLayer.printedHeightMM`), when it is above the
        /// resume height (objects printed one after another); travel clears it too.
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

    /// The lines to send, in order, before the layer's first line. Each is a plain command
    /// (no comment), short and ASCII, so it passes `GCodePreflight`.
    public static func lines(toResume state: GCodeMachineState, options: Options) -> [String] {
        // The prologue's own moves are absolute millimetres; the print's modes come last.
        var lines = ["G21", "G90"]
        heat(state, into: &lines)
        let z = state.position.zMM
        let printedHeight = options.printedHeightMM.map { $0 + state.originShift.zMM } ?? z
        let travelZ = max(z, printedHeight) + max(0, options.liftMM)
        let zFeedrate = "F" + number(options.zFeedrateMMPerMinute)
        let travelFeedrate = "F" + number(options.travelFeedrateMMPerMinute)
        switch options.situation {
        case .afterCrash:
            lines.append("G92 Z\(number(z))")
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
        lines.append("G1 Z\(number(z)) \(zFeedrate)")
        if options.primeLengthMM > 0 {
            lines.append("G92 E0")
            lines.append("G1 E\(number(options.primeLengthMM)) F\(number(options.primeFeedrateMMPerMinute))")
        }
        lines.append("G92 E\(number(state.position.eMM))")
        for (fan, speed) in state.fanSpeeds.enumerated() {
            let index = fan == 0 ? "" : " P\(fan)"
            lines.append(speed > 0 ? "M106\(index) S\(speed)" : "M107\(index)")
        }
        if options.situation == .afterCrash {
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
