/// What the virtual printer counted, for `--stats` and for tests.
public struct SimulatorStatistics: Sendable, Equatable {
    /// Numbered commands executed, M110 excepted: the lines of the execution log.
    public var linesExecuted = 0
    /// Bytes that reached the firmware's UART, lost ones included.
    public var bytesReceived = 0
    /// Bytes lost because the RX ring was full when they arrived.
    public var overrunBytes = 0
    public var checksumErrors = 0
    public var lineNumberErrors = 0
    public var noChecksumErrors = 0
    /// `Resend:` lines sent (one per line error).
    public var resendsRequested = 0
    /// Seconds the printer sat with an empty planner and an empty command queue between
    /// two moves, waiting on the host.
    public var plannerStarvedSeconds = 0.0
    /// Bytes thrown out of the RX ring by line errors.
    public var drainedBytes = 0
    /// Tails of lines cut by a drain or a reset, answered as unknown commands.
    public var fragments = 0
    /// Fragments real Marlin would have executed (they start with G, M or T and a digit).
    public var fragmentsExecutable = 0
    public var oksDropped = 0
    public var rxBitsFlipped = 0
    public var txBitsFlipped = 0
    /// Commands executed that came without a line number (host polls, emergency copies).
    public var unnumberedCommands = 0
    public var unknownCommands = 0
    public var resets = 0
    public var halted = false
    /// Bytes the firmware put on the wire (dropped `ok`s not included).
    public var bytesSent = 0
    /// Seconds from the model's start to its current instant.
    public var elapsedSeconds = 0.0
    /// Moves that took the nozzle below the bed's surface by more than half a micron (at the move's start or end;
    /// the surface is Z 0 unless the bed is shaped).
    public var nozzleBelowBed = 0
    /// The lowest physical Z the nozzle reached, in mm, 0 being the bed's surface at its
    /// centre (it powers up at 0).
    public var lowestZMillimetres = 0.0
    /// Filament the extruder really pushed, in mm (retractions subtract).
    public var filamentPushedMillimetres = 0.0
    /// Bytes that arrived while M303 ran: on an STM32 native-USB board Marlin flushes them
    /// when the tune ends, so a host must send nothing then but an emergency `M108`.
    public var bytesReceivedDuringAutotune = 0
    /// Lines of `--bed-screws-file` applied: a tramming test waits for its turns to be in.
    public var bedScrewTurns = 0

    public init() {}

    /// The `--stats` file: one JSON object, keys in a fixed order.
    public var json: String {
        let fields: [(String, String)] = [
            ("lines_executed", String(linesExecuted)),
            ("bytes_received", String(bytesReceived)),
            ("overrun_bytes", String(overrunBytes)),
            ("checksum_errors", String(checksumErrors)),
            ("line_number_errors", String(lineNumberErrors)),
            ("no_checksum_errors", String(noChecksumErrors)),
            ("resends_requested", String(resendsRequested)),
            ("planner_starved_s", SimulatorStatistics.number(plannerStarvedSeconds)),
            ("drained_bytes", String(drainedBytes)),
            ("fragments", String(fragments)),
            ("fragments_executable", String(fragmentsExecutable)),
            ("oks_dropped", String(oksDropped)),
            ("rx_bits_flipped", String(rxBitsFlipped)),
            ("tx_bits_flipped", String(txBitsFlipped)),
            ("unnumbered_commands", String(unnumberedCommands)),
            ("unknown_commands", String(unknownCommands)),
            ("resets", String(resets)),
            ("halted", halted ? "true" : "false"),
            ("bytes_sent", String(bytesSent)),
            ("elapsed_s", SimulatorStatistics.number(elapsedSeconds)),
            ("nozzle_below_bed", String(nozzleBelowBed)),
            ("lowest_z_mm", SimulatorStatistics.number(lowestZMillimetres)),
            ("filament_pushed_mm", SimulatorStatistics.number(filamentPushedMillimetres)),
            ("bytes_received_during_autotune", String(bytesReceivedDuringAutotune)),
            ("bed_screw_turns", String(bedScrewTurns)),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
    }

    /// Six decimals (seconds to the microsecond, millimetres to the nanometre), always a
    /// valid JSON number.
    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let micros = Int64((min(9.0e12, max(-9.0e12, value)) * 1_000_000).rounded())
        let sign = micros < 0 ? "-" : ""
        let magnitude = micros.magnitude
        let fraction = String(magnitude % 1_000_000)
        return sign + String(magnitude / 1_000_000) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
