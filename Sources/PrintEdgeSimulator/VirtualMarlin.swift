import PrintEdgeCore

/// A Marlin 2.1 printer with its serial link, as a deterministic discrete-event model.
///
/// Nothing here reads a clock or touches a file descriptor. The owner tells the model
/// what the host wrote and when (`hostWrote(_:at:)`), lets time pass (`advance(to:)`),
/// and gets back the bytes that reached the host by then. `nextEventInstant` says when
/// something next happens, so a driver can sleep until then — on a real pty
/// (`printedge-sim`) or on a virtual clock in a test, with a host state machine on the
/// other end and no sleeping at all:
///
/// ```swift
/// var printer = VirtualMarlin(configuration: .init(), start: .zero)
/// printer.hostWrote(Array("N1 G28*18\n".utf8), at: .zero)
/// let replies = printer.advance(to: .zero + .seconds(5))
/// // the `start` banner, "echo:busy: processing" at 2 s, "ok" when G28 ends at 3 s
/// ```
///
/// What is modelled, in event order:
/// - **Wire in**: each byte arrives at max(previous arrival, write instant + latency) +
///   one byte time (10 bits at the baud rate), optionally with a bit flipped by noise.
/// - **UART ISR**: the emergency parser sees the byte (M112 halts at once, M108 ends a
///   heating wait, M410 empties the planner), then the byte enters the RX ring or, if the
///   ring is full, is lost.
/// - **Main loop** (`get_serial_commands` then `advance`): reads the RX ring character by
///   character into the line buffer while the command queue has a free slot, checks line
///   numbers and checksums, and executes the command at the head of the queue. While a
///   command blocks — a move waiting for a planner slot, G28, G4, M400, M109/M190, M0 —
///   the main loop does not run, so nothing more is read and the RX ring fills: this is
///   stricter than "reads while a slot is free", and it is what Marlin does, whose blocking
///   handlers spin in `idle()`, which never calls `get_available_commands()`.
/// - **Stepper**: planner blocks complete one after another, carrying the nozzle through
///   physical space (see below).
/// - **idle() timers**: `busy: processing` keepalive, temperature reports while heating,
///   M155 autoreports.
/// - **Wire out**: every line the firmware prints is paced out at the baud rate and
///   reaches the host `latency` later. A print that overflows the UART's TX buffer stalls
///   the firmware until the bytes have gone, as Marlin's blocking serial writes do.
///
/// Line errors follow `gcode_line_error`: print `Error:<message><last N>`, discard every
/// byte in the RX ring, print `Resend: <last N + 1>` and `ok`.
///
/// **Fragments.** Bytes of a line still on the wire when the drain happened arrive
/// afterwards without their start. Real Marlin parses such a tail as an unnumbered command:
/// usually it answers `echo:Unknown command: "<tail>"` and `ok`, but when the cut falls
/// right before a command letter it executes whatever is left — a hazard no firmware
/// setting prevents once a host keeps more than one line in flight. The model marks the
/// first line that completes after a drain (or a reset) that cut into a line as a
/// fragment, queues it like Marlin would, and answers it as an unknown command; it never
/// executes one. It counts them (`fragments`) and separately those real Marlin would have
/// executed (`fragmentsExecutable`: G, M or T and a digit after leading spaces). A fragment
/// that still starts with `N` is checked as a numbered line, as Marlin would.
///
/// **Where the nozzle physically is** (`MachineCoordinates`). Marlin's logical position
/// (what G-code means, M114's `X: Y: Z:`) is not where the nozzle is: G92 shifts the
/// workspace and the nozzle does not move; a move goes to the logical target's physical
/// place; G28 puts each homed axis physically at 0 (Z 0: the nozzle touching the bed, or
/// off by `zOffsetErrorMillimetres` until calibrated) and clears its shift; a reset loses the position — the steppers stop wherever the running
/// block had taken them, queued moves are lost, and Marlin boots believing it is at logical
/// 0,0,0 with no shift, so M114 then reads 0.00 everywhere, Count included. A motion log
/// (`takeMotionLog()`, format in `VirtualMarlin+Motion.swift`) records every move, homing
/// and reset in physical coordinates, and the counters hold the lowest Z reached and the
/// moves that went below the bed.
///
/// **Calibration** (the `+Autotune`, `+Settings`, `+Probing` and `+BedLeveling` files say
/// more). M303 runs Marlin's relay autotune on a heater with dead time and sensor lag
/// (`ThermalPlant`), blocking like Marlin; `HeaterFault` makes it fail each of its ways. The
/// settings a calibration changes (`CalibrationSettings`: M92, M301, M304, M851, the mesh,
/// M420) live in RAM, go to an EEPROM with M500 (`EEPROMImage` for the owner to keep) and
/// come back at a reset or M501; M503 [S0] reports them. A probe sits at M851's offset over
/// a bed with a shape (`BedSurface`) and scatters as configured; homing Z with it is off by
/// `zOffsetErrorMillimetres` until M851 or M290 corrects it. G29 builds and prints a mesh in
/// bilinear, UBL or MBL form, leveling adds it to every move; G30, M48, G35 print in the
/// chosen Marlin version's formats. E moves push `extrusionFactor` times the filament
/// commanded (`--esteps-error` against M92 E).
///
/// **Sizes as Marlin counts them.** The RX ring and the planner each keep one slot free
/// to tell full from empty: RX_BUFFER_SIZE 128 holds 127 bytes, BLOCK_BUFFER_SIZE 16 holds
/// 15 moves (and ADVANCED_OK reports `P15` when idle).
///
/// **Where the model is simpler than Marlin**, on purpose: moves have no acceleration or
/// junction speeds (duration = length / feedrate, capped by the maximum axis feedrates);
/// an arc is one block; no minimum segment time or step rounding; M109/M190 end within
/// 1 °C of the target with no residency timer (` W:?` in every report); G20/G21 and M73
/// are accepted although stock Marlin builds them out; a reset is instantaneous (no boot
/// time during which bytes are lost); homing takes a fixed time wherever the nozzle was;
/// a probing command is worked out when it starts and answers when its touches' time is up;
/// M104/M109 heat along a plain exponential, the thermal plant serving M303 alone.
public struct VirtualMarlin: Sendable {
    public let configuration: VirtualMarlinConfiguration
    /// `configuration.speedup`, or 1 if that is not a positive number.
    let speedup: Double

    // MARK: Clock

    /// The model's current instant, in nanoseconds.
    var nowNanoseconds: Int64
    let startNanoseconds: Int64

    // MARK: Wire

    var inboundLink: PacedLink
    var inbound = TimedByteQueue()
    var outboundLink: PacedLink
    var outbound = TimedByteQueue()
    var receiveNoise: FaultDice
    var transmitNoise: FaultDice
    var okDrop: FaultDice
    /// Departure instants of the last TX_BUFFER_SIZE + 1 bytes printed, as a ring, to know
    /// when a print would have found room in the TX buffer.
    var recentDepartures: [Int64]
    var recentDepartureIndex = 0
    /// The firmware is stalled on a blocking serial write until then.
    var firmwareFreeAt: Int64

    // MARK: Firmware

    var receiveBuffer: ReceiveBuffer
    var emergencyParser = EmergencyParser()
    var lineReader = SerialLineReader()
    var queue: CommandQueue
    var planner: MotionPlanner
    var hotend: Heater
    var bed: Heater
    /// `serial_state.last_N`.
    var lastN: Int64 = 0
    var activity: Activity = .ready
    /// A line error was printed; the drain and `Resend:` follow once the firmware may run.
    var resendPending = false
    var quickStopRequested = false
    var waitForHeatup = false
    var waitForUser = false
    var isHalted = false
    /// The next line to complete is the tail of a line cut by a drain or reset.
    var fragmentPending = false
    var keepaliveIntervalNanoseconds: Int64 = VirtualMarlin.defaultKeepaliveNanoseconds
    var nextKeepaliveAt: Int64?
    var nextTemperatureReportAt: Int64?
    var autoreportIntervalNanoseconds: Int64 = 0
    var nextAutoreportAt: Int64?

    // MARK: Motion state

    /// `current_position`: logical, the destination of the last move planned.
    var position = AxisPosition.zero
    /// How logical coordinates map onto physical ones.
    var coordinates = MachineCoordinates()
    /// Where the nozzle physically is when the stepper is idle: the end of the last block
    /// that ran (or where homing or a stop left it).
    var nozzle = AxisPosition.zero
    /// Where the last block in the planner leaves the nozzle: where the next one starts.
    var plannedNozzle = AxisPosition.zero
    var relativeAxes = false
    var extruderMode = ExtruderMode.followAxes
    var feedrateMMPerMinute = 1500.0
    var feedratePercent = 100.0

    // MARK: Calibration

    /// The settings in RAM (M92, M301, M304, M851, M420, the mesh).
    var settings: CalibrationSettings
    /// What the EEPROM holds; nil while blank.
    var eeprom: CalibrationSettings?
    /// The image M500 wrote since the owner last took it.
    var eepromWrite: String?
    /// Axes homed since the board started (a reset forgets them, G35 forgets Z).
    var homed = HomingAxes(x: false, y: false, z: false)
    /// The M303 run in progress.
    var autotune: AutotuneRun?
    /// The probe's trigger scatter (G29, G30, M48, G35), seeded.
    var probeScatter: SplitMix64
    /// UBL's storage slot: -1 until a mesh is saved or loaded.
    var meshStorageSlot = -1
    /// MBL's manual probing (`G29 S1`, `S2`): the next point, nil when not under way.
    var manualProbeIndex: Int?
    /// Babysteps since Z was homed (BABYSTEP_DISPLAY_TOTAL).
    var babystepTotalMillimetres = 0.0
    /// The bed's leveling screws as turned so far.
    var bedScrews = BedScrews()
    /// Lines printed but not sent yet (`holdOutput()`).
    var heldOutput: [(bytes: [UInt8], terminated: Bool)]?

    // MARK: Accounting

    var counters = SimulatorStatistics()
    var starvedSince: Int64?
    var starvedNanoseconds: Int64 = 0
    var hasReset = false
    var executionLog: [String] = []
    var motionLog: [String] = []
    /// The line being printed, reused so replies allocate nothing.
    var outputLine: [UInt8] = []

    static let defaultKeepaliveNanoseconds: Int64 = 2_000_000_000

    /// What the firmware's main loop is doing; every case but `ready` is a command handler
    /// spinning in `idle()` with the command still at the head of the queue.
    enum Activity: Sendable {
        /// In the main loop: reading serial and dispatching commands.
        case ready
        /// G0–G3 waiting for a free planner slot; nil for a move too short to make a block.
        case waitingForPlannerSlot(MotionPlanner.Block?)
        /// `planner.synchronize()` before G28, G4 or M400.
        case synchronizing(then: AfterSynchronize)
        case homing(until: Int64, axes: HomingAxes)
        case dwelling(until: Int64)
        /// M109/M190: until the heater is within a degree of its target.
        case heating(until: Int64)
        /// M0/M1: until M108 (or the timeout).
        case pausedForUser(until: Int64?)
        /// M303: the autotune loop, one temperature sample per step; no `busy:`, no
        /// autoreports (it never calls `idle()`).
        case autotuning(nextSampleAt: Int64)
        /// G29, G30, M48, G35: worked out when they start, their output sent when the
        /// probing time is up.
        case probing(until: Int64, output: [(bytes: [UInt8], terminated: Bool)])

        var isBlocking: Bool {
            if case .ready = self { return false }
            return true
        }

        var isAutotuning: Bool {
            if case .autotuning = self { return true }
            return false
        }
    }

    enum AfterSynchronize: Sendable {
        case home(HomingAxes)
        case dwell(nanoseconds: Int64)
        case pauseForUser(timeoutNanoseconds: Int64?)
        /// Run the command at the head again, now that the planner is empty.
        case reexecute
        case nothing
    }

    struct HomingAxes: Sendable {
        var x: Bool
        var y: Bool
        var z: Bool
    }

    enum ExtruderMode: Sendable {
        case followAxes
        case relative
        case absolute
    }

    // MARK: - API

    /// A printer that powers up at `start`; with `printsBannerAtStart` its `start` banner is
    /// the first thing on the wire.
    public init(configuration: VirtualMarlinConfiguration = VirtualMarlinConfiguration(), start: MonotonicInstant = .zero) {
        self.configuration = configuration
        let start = start.nanoseconds
        nowNanoseconds = start
        startNanoseconds = start
        let latency = configuration.latency.nanosecondsClamped
        inboundLink = PacedLink(baud: configuration.baudRate, latencyNanoseconds: latency)
        outboundLink = PacedLink(baud: configuration.baudRate, latencyNanoseconds: latency)
        var seeds = SplitMix64(seed: configuration.seed)
        receiveNoise = FaultDice(probability: configuration.receiveNoiseProbability, seed: seeds.next())
        transmitNoise = FaultDice(probability: configuration.transmitNoiseProbability, seed: seeds.next())
        okDrop = FaultDice(probability: configuration.okDropProbability, seed: seeds.next())
        probeScatter = SplitMix64(seed: seeds.next())
        eeprom = configuration.hasEEPROM ? configuration.storedSettings : nil
        settings = eeprom ?? .defaults
        recentDepartures = [Int64](repeating: .min, count: max(0, configuration.transmitBufferSize) + 1)
        firmwareFreeAt = start
        receiveBuffer = ReceiveBuffer(size: configuration.receiveBufferSize)
        queue = CommandQueue(slots: configuration.commandSlots)
        let speedup = configuration.speedup > 0 && configuration.speedup.isFinite ? configuration.speedup : 1
        self.speedup = speedup
        planner = MotionPlanner(
            blockBufferSize: configuration.plannerBlocks,
            firstMoveDelayNanoseconds: Int64(Double(configuration.firstMoveDelay.nanosecondsClamped) / speedup))
        hotend = Heater(
            timeConstantNanoseconds: Double(configuration.hotendTimeConstant.nanosecondsClamped) / speedup,
            maximumTargetCelsius: 260, fullPowerCelsius: 300, startNanoseconds: start)
        bed = Heater(
            timeConstantNanoseconds: Double(configuration.bedTimeConstant.nanosecondsClamped) / speedup,
            maximumTargetCelsius: 140, fullPowerCelsius: 120, startNanoseconds: start)
        outputLine.reserveCapacity(256)
        if configuration.printsBannerAtStart {
            printBanner()
        }
    }

    /// The model's current instant: the latest it was advanced to.
    public var now: MonotonicInstant { MonotonicInstant(nanoseconds: nowNanoseconds) }

    /// Bytes the host wrote into the port at `instant` (never earlier than `now`; an
    /// earlier instant is taken as `now`). They travel over the wire and reach the
    /// firmware one byte time apart.
    public mutating func hostWrote(_ bytes: some Collection<UInt8>, at instant: MonotonicInstant) {
        let written = max(instant.nanoseconds, nowNanoseconds)
        let ready = written &+ inboundLink.latencyNanoseconds
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            for byte in buffer {
                inbound.append(byte, arrivingAt: inboundLink.schedule(readyAt: ready))
            }
        }
        if handled == nil {
            for byte in bytes {
                inbound.append(byte, arrivingAt: inboundLink.schedule(readyAt: ready))
            }
        }
    }

    /// Runs every event due up to `instant`, in time order, and returns the bytes that
    /// reached the host by then.
    public mutating func advance(to instant: MonotonicInstant) -> [UInt8] {
        var output: [UInt8] = []
        advance(to: instant, appendingOutputTo: &output)
        return output
    }

    /// `advance(to:)` appending to a buffer the caller reuses.
    public mutating func advance(to instant: MonotonicInstant, appendingOutputTo output: inout [UInt8]) {
        let target = instant.nanoseconds
        var stepsWithoutTimePassing = 0
        while let next = nextFirmwareEventNanoseconds(), next <= target {
            if next > nowNanoseconds {
                nowNanoseconds = next
                stepsWithoutTimePassing = 0
            } else {
                stepsWithoutTimePassing += 1
                if stepsWithoutTimePassing > 1_000_000 {
                    preconditionFailure("VirtualMarlin makes no progress at \(now) in \(activity)")
                }
            }
            step()
        }
        if target > nowNanoseconds { nowNanoseconds = target }
        outbound.removeArrived(by: nowNanoseconds, into: &output)
    }

    /// When the next event is due — a byte reaching the firmware or the host, a block or
    /// command finishing, a timer — or nil when nothing will happen until the host writes.
    public var nextEventInstant: MonotonicInstant? {
        let firmware = nextFirmwareEventNanoseconds() ?? .max
        let host = outbound.firstInstant ?? .max
        let next = min(firmware, host)
        guard next != .max else { return nil }
        return MonotonicInstant(nanoseconds: max(next, nowNanoseconds))
    }

    /// The counters so far.
    public var statistics: SimulatorStatistics {
        var result = counters
        result.halted = isHalted
        result.plannerStarvedSeconds = Double(starvedNanoseconds) / 1e9
        result.elapsedSeconds = Double(nowNanoseconds - startNanoseconds) / 1e9
        return result
    }

    /// Executed numbered commands since the last call, normalised: without the `N<n> `
    /// prefix and the `*<checksum>`, trimmed. M110 and unnumbered commands are not logged.
    public mutating func takeExecutionLog() -> [String] {
        defer { executionLog.removeAll(keepingCapacity: true) }
        return executionLog
    }

    /// Motion-log lines since the last call (`VirtualMarlin+Motion.swift` has the format).
    public mutating func takeMotionLog() -> [String] {
        defer { motionLog.removeAll(keepingCapacity: true) }
        return motionLog
    }

    /// A reset from outside at `instant` — the board's reset button, a power blip — after
    /// everything due before it: the `start` banner, the position lost, heaters off.
    public mutating func resetBoard(at instant: MonotonicInstant, appendingOutputTo output: inout [UInt8]) {
        advance(to: instant, appendingOutputTo: &output)
        reset()
    }

    /// `last_N`: the number of the last line accepted; the next must be one more.
    public var lastLineNumber: Int64 { lastN }

    /// Commands in the queue, the executing one included.
    public var queuedCommandCount: Int { queue.count }

    /// Moves in the planner, the executing one included.
    public var plannedMoveCount: Int { planner.count }

    /// Bytes waiting in the UART's RX ring.
    public var receiveBufferCount: Int { receiveBuffer.count }

    /// Bytes the host wrote that are still on the wire, not yet at the UART: what a host's
    /// port would hold in its output buffer.
    public var bytesInTransitToFirmware: Int { inbound.count }

    /// Whether M112 halted the firmware.
    public var halted: Bool { isHalted }

    /// Hotend and bed temperatures now, in °C.
    public var temperaturesCelsius: (hotend: Double, bed: Double) {
        (hotend.temperature(at: nowNanoseconds), bed.temperature(at: nowNanoseconds))
    }
}
