/// How the virtual printer is built: Marlin's compile-time sizes, the wire, and the
/// faults to inject. Defaults are a stock Marlin 2.1 on a 115 200 baud USB-serial bridge
/// with no faults.
public struct VirtualMarlinConfiguration: Sendable, Equatable {
    /// Bits per second on both directions of the wire; a byte takes 10 bits (8N1).
    public var baudRate = 115_200
    /// One-way delay added in each direction (USB-serial bridges buffer for a frame or more).
    public var latency: Duration = .zero
    /// RX_BUFFER_SIZE: the UART ring, which holds one byte less than its size.
    public var receiveBufferSize = 128
    /// Bytes the UART can queue for sending before a print blocks the firmware until
    /// there is room (32: the HAL default when TX_BUFFER_SIZE is not set; 0 is AVR's
    /// unbuffered write).
    public var transmitBufferSize = 32
    /// BUFSIZE: command slots.
    public var commandSlots = 4
    /// BLOCK_BUFFER_SIZE: planner slots; one stays free, so it holds one move fewer.
    public var plannerBlocks = 16
    /// Motion, homing, dwell and heating times are divided by this.
    public var speedup = 1.0
    /// ADVANCED_OK: `ok N<n> P<planner free> B<slots free>`.
    public var advancedOK = false
    /// Probability that a received byte gets one random bit flipped before the UART
    /// stores it.
    public var receiveNoiseProbability = 0.0
    /// Probability that a sent byte gets one random bit flipped as it leaves.
    public var transmitNoiseProbability = 0.0
    /// Probability that a line starting with `ok` is never sent.
    public var okDropProbability = 0.0
    /// Reset once after this many numbered commands were executed.
    public var resetAfterLines: Int?
    /// Seeds every random fault.
    public var seed: UInt64 = 0
    /// BLOCK_DELAY_FOR_1ST_MOVE (divided by `speedup`).
    public var firstMoveDelay: Duration = .milliseconds(100)
    /// How long G28 takes (divided by `speedup`).
    public var homingDuration: Duration = .seconds(3)
    /// Hotend time constant (divided by `speedup`).
    public var hotendTimeConstant: Duration = .seconds(30)
    /// Bed time constant (divided by `speedup`).
    public var bedTimeConstant: Duration = .seconds(60)
    /// Print the `start` banner when the model starts (it always does after a reset).
    public var printsBannerAtStart = true
    /// Collect executed numbered commands for `takeExecutionLog()`.
    public var recordsExecutionLog = true
    /// Collect motion-log lines for `takeMotionLog()`.
    public var recordsMotionLog = false

    // MARK: Calibration

    /// `--marlin-version`: whose output formats (G30, the UBL map's decimals, the banner).
    public var marlinVersion = MarlinVersion.release2_1
    /// EEPROM_SETTINGS. Without it M500 answers `Error:EEPROM disabled` and M501 resets to
    /// the defaults, as Marlin built without EEPROM does.
    public var hasEEPROM = true
    /// What the EEPROM holds at power-up: by default the compiled-in settings, as on a
    /// printer saved once; nil for a blank EEPROM.
    public var storedSettings: CalibrationSettings? = .defaults
    /// `--leveling`: the bed-leveling system compiled in; bilinear and UBL come with a probe.
    public var leveling = LevelingSystem.bilinear
    /// X_BED_SIZE, Y_BED_SIZE in millimetres.
    public var bedWidthMillimetres = 220.0
    public var bedDepthMillimetres = 220.0
    /// GRID_MAX_POINTS_X and _Y.
    public var probeGridPoints = 5
    /// The bed's real shape.
    public var bedSurface = BedSurface.flat
    /// Standard deviation of the probe's trigger height, sample to sample.
    public var probeScatterMillimetres = 0.002
    /// How far the compiled-in Z offset (M851 Z, or the Z endstop without a probe) is off:
    /// after homing, logical Z 0 leaves the nozzle this much above the bed (negative: into
    /// it) until a Z-offset calibration fixes it.
    public var zOffsetErrorMillimetres = 0.0
    /// `--heater-fault`: how the heater M303 tunes misbehaves.
    public var heaterFault: HeaterFault?
    /// `--esteps-error`: the extruder really pushes this many percent more (negative: less)
    /// than its steps per mm say.
    public var extruderErrorPercent = 0.0
    /// How long one probe touch takes, travel included (divided by `speedup`).
    public var probeTouchDuration: Duration = .milliseconds(2500)

    public init() {}

    /// Why this configuration cannot be simulated, if it cannot.
    public var problem: String? {
        if baudRate < 300 || baudRate > 20_000_000 { return "baud rate \(baudRate) is outside 300…20000000" }
        if latency < .zero { return "latency must not be negative" }
        if receiveBufferSize < 2 || receiveBufferSize > 1 << 20 { return "RX buffer must be 2…1048576 bytes" }
        if transmitBufferSize < 0 || transmitBufferSize > 1 << 20 { return "TX buffer must be 0…1048576 bytes" }
        if commandSlots < 1 || commandSlots > 4096 { return "command slots (bufsize) must be 1…4096" }
        if plannerBlocks < 2 || plannerBlocks > 4096 { return "planner blocks must be 2…4096" }
        if !(speedup > 0) || !speedup.isFinite { return "speedup must be a positive number" }
        for (name, value) in [
            ("receive noise", receiveNoiseProbability), ("transmit noise", transmitNoiseProbability),
            ("ok drop", okDropProbability),
        ] where !(value >= 0 && value <= 1) {
            return "\(name) probability must be within 0…1"
        }
        if let resetAfterLines, resetAfterLines < 1 { return "reset-after-lines must be at least 1" }
        for (name, value) in [("bed width", bedWidthMillimetres), ("bed depth", bedDepthMillimetres)]
        where !(value >= 50 && value <= 2000) {
            return "\(name) must be 50…2000 mm"
        }
        if !(3...10).contains(probeGridPoints) { return "probe grid must be 3…10 points" }
        if !(probeScatterMillimetres >= 0 && probeScatterMillimetres <= 1) { return "probe scatter must be 0…1 mm" }
        if !(abs(zOffsetErrorMillimetres) <= 5) { return "Z offset error must be within ±5 mm" }
        if !(extruderErrorPercent > -50 && extruderErrorPercent < 100) { return "e-steps error must be above -50 and below 100 percent" }
        if let mesh = storedSettings?.mesh, mesh.pointsX != probeGridPoints || mesh.pointsY != probeGridPoints {
            return "the stored mesh is \(mesh.pointsX)x\(mesh.pointsY) but the probe grid is \(probeGridPoints)x\(probeGridPoints)"
        }
        return nil
    }
}

/// Which Marlin's output formats the printer speaks.
public enum MarlinVersion: String, Sendable, Equatable, CaseIterable {
    /// 2.1.2.x releases: `Bed X: 110.00 Y: 110.00 Z: 0.14`, a 2-decimal UBL map.
    case release2_1 = "2.1"
    /// bugfix-2.1.x since late 2023: `Bed X:110.00 Y:110.00 Z:0.143` (G30 then returns to
    /// where it started), a 3-decimal UBL map.
    case bugfix
}

/// The bed-leveling system compiled in.
public enum LevelingSystem: String, Sendable, Equatable, CaseIterable {
    /// AUTO_BED_LEVELING_BILINEAR with a probe: `G29` probes and prints the grid front row first.
    case bilinear
    /// AUTO_BED_LEVELING_UBL with a probe: `G29 P1` probes, `G29 T` / `M420 V` print the
    /// map back row first.
    case ubl
    /// MESH_BED_LEVELING without a probe: the mesh is measured by hand (`G29 S1`, `S2`).
    case mbl

    var hasProbe: Bool { self != .mbl }
}
