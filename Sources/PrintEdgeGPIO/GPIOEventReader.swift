import CGPIO
import Glibc

/// Cuts the bytes read from a line request's descriptor into edge events.
///
/// The kernel hands out whole `gpio_v2_line_event`s only, as many as fit the buffer. A pipe
/// — the tests feed real structs through one — may deliver a struct in pieces: what is left
/// of an incomplete event waits here for the next read.
public struct GPIOEventReader: Sendable {
    /// sizeof(struct gpio_v2_line_event): 48 bytes.
    public static let eventSize = MemoryLayout<gpio_v2_line_event>.size
    /// Events taken per read(2): the kernel's default queue for one line.
    static let eventsPerRead = 16

    /// Names the chip in errors.
    public let chip: String
    private var pending: [UInt8] = []

    public init(chip: String) {
        self.chip = chip
    }

    /// Bytes of an incomplete event, kept for the next read.
    public var pendingByteCount: Int { pending.count }

    /// Decodes `bytes`, read after whatever was pending, into the events they complete.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(GPIOError) -> [GPIOLineEvent] {
        let kernelEvents: [gpio_v2_line_event]
        if pending.isEmpty {
            let whole = bytes.count - bytes.count % Self.eventSize
            kernelEvents = Self.load(UnsafeRawBufferPointer(rebasing: bytes[..<whole]))
            pending.append(contentsOf: bytes[whole...])
        } else {
            pending.append(contentsOf: bytes)
            let whole = pending.count - pending.count % Self.eventSize
            kernelEvents = pending.withUnsafeBytes { Self.load(UnsafeRawBufferPointer(rebasing: $0[..<whole])) }
            pending.removeFirst(whole)
        }
        var events: [GPIOLineEvent] = []
        events.reserveCapacity(kernelEvents.count)
        for event in kernelEvents { events.append(try GPIOLineEvent(kernelEvent: event, chip: chip)) }
        return events
    }

    /// One read(2) from `descriptor` — which blocks, on a blocking descriptor, until an
    /// event arrives — decoded. Empty when a non-blocking descriptor has nothing, or when
    /// only part of an event came.
    public mutating func read(from descriptor: Int32) throws(GPIOError) -> [GPIOLineEvent] {
        let capacity = Self.eventSize * Self.eventsPerRead
        // A buffer on the stack: nothing is allocated between the edge and its decision
        // but the array of events itself.
        return try withUnsafeTemporaryAllocation(byteCount: capacity, alignment: MemoryLayout<gpio_v2_line_event>.alignment) {
            (buffer) throws(GPIOError) -> [GPIOLineEvent] in
            var count: Int
            repeat {
                count = Glibc.read(descriptor, buffer.baseAddress, capacity)
            } while count < 0 && errno == EINTR
            if count < 0 {
                if errno == EAGAIN { return [] }
                throw .system(operation: "read of GPIO edge events", path: chip, errno: errno)
            }
            if count == 0 { throw .eventsEnded(chip: chip) }
            return try decode(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The structs in `bytes`, a whole number of them.
    private static func load(_ bytes: UnsafeRawBufferPointer) -> [gpio_v2_line_event] {
        stride(from: 0, to: bytes.count, by: eventSize).map { bytes.loadUnaligned(fromByteOffset: $0, as: gpio_v2_line_event.self) }
    }
}
