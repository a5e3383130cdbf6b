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
        return nil
    }
}
