import PrintEdgeCore
import PrintEdgeSerial

/// What the link loop needs of the wire to a printer: write and read without blocking, and
/// wait for either, for the owner, or for a deadline — on the transport's own clock.
///
/// Klipper's `serialhdl.py` has one reader loop behind several transports; this is the seam
/// that lets `PrinterConnection`'s one loop run over a real tty (`SerialTransport`: termios2
/// and ppoll, real time) or, in tests, over `VirtualMarlin` on a virtual clock
/// (`VirtualLinkTransport`, in the PrintEdgeVirtualLink test-support target), where waiting
/// is advancing the model and a print of an hour takes milliseconds. The loop reads time only
/// through `now()`.
public protocol LinkTransport: AnyObject {
    /// The port's path (or a name), for messages.
    var path: String { get }
    /// The transport's clock: the monotonic one, or a simulation's.
    func now() -> MonotonicInstant
    /// Queues bytes; returns how many were taken, 0 when full. Never blocks.
    func write(_ bytes: UnsafeRawBufferPointer) throws(SerialError) -> Int
    /// Reads what has arrived; 0 when nothing has. Never blocks.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialError) -> Int
    /// Blocks until bytes can be read (or written, with `writing`), the owner wakes the loop,
    /// or `deadline` passes; says which.
    func wait(until deadline: MonotonicInstant, writing: Bool) throws(SerialError) -> LinkWake
    /// Whether the device is still there: a removed node does not always hang up the fd.
    func isDevicePresent() -> Bool
}

/// Why a `LinkTransport.wait` returned.
public struct LinkWake: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bytes to read, or the device hung up or failed (a read then says which).
    public static let readable = LinkWake(rawValue: 1 << 0)
    public static let writable = LinkWake(rawValue: 1 << 1)
    /// The owner has commands waiting (`PrinterConnection.submit`).
    public static let woken = LinkWake(rawValue: 1 << 2)
    /// The stop descriptor fired (Ctrl-C for `printedge stream`): close between two lines.
    public static let stop = LinkWake(rawValue: 1 << 3)
    /// The descriptor is no longer valid.
    public static let invalid = LinkWake(rawValue: 1 << 4)
}
