/// How many bytes and lines the host keeps in flight to the firmware.
///
/// Marlin has three buffers in a row: an RX ring (128 bytes by default) filled by the UART
/// interrupt, a command queue (BUFSIZE, 4 slots) filled from RX only while a slot is free,
/// and the planner (16 blocks). A byte arriving while RX is full is lost, so whatever the
/// host sends beyond what the command queue has taken must fit in RX. The strategies differ
/// in how much they know about where their bytes are:
/// - `pingPong`: one command in flight, like OctoPrint and Printrun by default. Never
///   overruns, but every line pays a round trip: short segments starve the planner.
/// - `window`: character counting (GRBL's "streaming protocol", Repetier-Host's default):
///   unacknowledged bytes within RX and unacknowledged lines within the command slots.
/// - `advancedOK`: ADVANCED_OK's `ok N<n> P<p> B<b>` says which line was taken and how many
///   slots are free, so the lines known to sit in the command queue no longer count
///   against RX, and the queue depth is learned from the firmware itself.
public enum FlowStrategy: String, Sendable, CaseIterable, Codable {
    case pingPong = "ping-pong"
    case window
    case advancedOK = "advanced-ok"
}

/// The user's choice: a fixed strategy, or `auto` (advanced-ok when the firmware reports
/// `Cap:ADVANCED_OK:1` or answers with ADVANCED_OK fields, else window).
public enum FlowSelection: Sendable, Equatable, CustomStringConvertible {
    case auto
    case fixed(FlowStrategy)

    public init?(_ text: String) {
        if text == "auto" {
            self = .auto
        } else if let strategy = FlowStrategy(rawValue: text) {
            self = .fixed(strategy)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .fixed(let strategy): strategy.rawValue
        }
    }

    public static let allNames = ["auto"] + FlowStrategy.allCases.map(\.rawValue)
}

public struct FlowControl: Sendable {
    public private(set) var strategy: FlowStrategy
    public let rxBufferBytes: Int
    /// Command slots: the profile's value, raised when ADVANCED_OK reveals a deeper queue.
    public private(set) var commandSlots: Int
    /// Ledger entries at the front known (from the last ADVANCED_OK) to sit in the command queue.
    private var queuedAhead = 0

    public init(strategy: FlowStrategy, rxBufferBytes: Int, commandSlots: Int) {
        self.strategy = strategy
        self.rxBufferBytes = rxBufferBytes
        self.commandSlots = max(1, commandSlots)
    }

    /// AVR's ring buffer keeps one slot empty to tell full from empty, so 128 holds 127.
    public var usableRxBytes: Int { max(1, rxBufferBytes - 1) }

    /// Whether `byteCount` more bytes may be written now.
    public func allows(byteCount: Int, ledger: InFlightLedger) -> Bool {
        if ledger.isEmpty { return true }  // a lone line always goes, whatever the limits
        switch strategy {
        case .pingPong:
            return false
        case .window:
            return ledger.count < commandSlots && ledger.byteCount + byteCount <= usableRxBytes
        case .advancedOK:
            return ledger.bytes(afterSkipping: queuedAhead) + byteCount <= usableRxBytes
        }
    }

    /// Whether `byteCount` more bytes fit the RX buffer, whatever the line count.
    public func allowsBytesOnly(byteCount: Int, ledger: InFlightLedger) -> Bool {
        let resident = strategy == .advancedOK ? ledger.bytes(afterSkipping: queuedAhead) : ledger.byteCount
        return resident + byteCount <= usableRxBytes
    }

    /// Takes in an ADVANCED_OK reply after the entries it acknowledged left the ledger.
    public mutating func observe(_ ok: OkReply, ledger: InFlightLedger) {
        guard let slotsFree = ok.commandSlotsFree else { return }
        // B counts the command being acknowledged as still queued (Marlin's ok_to_send runs
        // before the queue advances), so B + 1 slots exist at least.
        commandSlots = max(commandSlots, slotsFree + 1)
        queuedAhead = min(ledger.count, max(0, commandSlots - slotsFree - 1))
    }

    public mutating func entriesAcknowledged(_ count: Int) {
        queuedAhead = max(0, queuedAhead - count)
    }

    /// After a rewind the queue contents are unknown until the next ADVANCED_OK.
    public mutating func forgetQueueDepth() {
        queuedAhead = 0
    }
}
