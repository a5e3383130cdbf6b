import PrintEdgeAgent
import PrintEdgeCore
import PrintEdgeSerial
import PrintEdgeSimulator

/// A printer link to an in-process `VirtualMarlin` on a virtual clock: `PrinterConnection`'s
/// real loop against the firmware model, with no tty, no second thread and no sleeping. A
/// print of an hour takes milliseconds, and the same seed gives the same run, byte for byte.
///
/// - **Write** puts bytes on the model's wire: they reach its UART one byte time apart
///   (10 bits at its baud rate) and are lost when its RX ring is full, as on a real board.
///   Like a tty's output buffer the port holds at most `outputBufferBytes` not yet delivered;
///   past that a write takes nothing and the loop waits until it is writable.
/// - **Read** returns what the model printed that has reached the host by now.
/// - **Wait** advances the model, event by event (a byte arriving, a move ending, a
///   keepalive), until a byte reaches the host, room frees for a pending write, or the
///   deadline passes. Time is the model's: nothing here reads a clock.
///
/// Everything runs on the thread that calls `PrinterConnection.run(over:events:)`. A test
/// acts between two turns of the loop, from the event handler: it changes the printer
/// (`printer`, `powerOff()`) and submits commands, which the loop takes at its next turn.
/// Commands submitted from another thread are not seen until then: nothing wakes a virtual
/// wait.
///
/// Why a target of its own: it joins `PrintEdgeAgent` (the seam, `LinkTransport`) and
/// `PrintEdgeSimulator` (the model), which import neither the other on purpose — the daemon
/// and the CLI do not carry the firmware model, and the model never sees the host code it is
/// tested against, so a host bug is not mirrored by the firmware that checks it.
public final class VirtualLinkTransport: LinkTransport {
    /// What a USB-serial tty's output buffer holds before a write blocks (4 KiB, the order of
    /// the kernel's `ldisc` and the CDC-ACM/FTDI drivers' write rooms).
    public static let outputBufferBytes = 4096

    /// The printer; a test may act on it between two turns of the loop (announce a host
    /// action, read its statistics and execution log).
    public var printer: VirtualMarlin
    public let path: String
    /// Everything the host wrote, in order, as it went onto the wire.
    public private(set) var written: [UInt8] = []
    /// Hang guard in virtual time: past it the link fails as disconnected instead of running
    /// forever. It is no expectation about timing — a run that reaches it is a bug.
    public let timeLimit: Duration
    private let startedAt: MonotonicInstant
    private var clock: MonotonicInstant
    /// What reached the host and was not read yet: the tty's input queue.
    private var received: [UInt8] = []
    private var receivedOffset = 0
    private var isPoweredOff = false

    /// `printer` as built; its clock is the link's.
    public init(printer: VirtualMarlin, path: String = "virtual-marlin", timeLimit: Duration = .seconds(24 * 3600)) {
        self.printer = printer
        self.path = path
        self.timeLimit = timeLimit
        startedAt = printer.now
        clock = printer.now
    }

    /// The port the connection's options describe: this link's name at the model's baud rate
    /// (the protocol sizes its resend patience on it).
    public var portConfiguration: SerialPort.Configuration {
        SerialPort.Configuration(path: path, baudRate: printer.configuration.baudRate)
    }

    /// The board loses power behind an adapter the host still powers (an FTDI cable, a CH340
    /// on a board of its own): the port stays, what the host writes goes nowhere, and nothing
    /// more comes back. Bytes already received stay readable.
    public func powerOff() {
        isPoweredOff = true
    }

    /// Lets the printer run on for `duration` after the link has ended: bytes the host wrote
    /// last are still on the wire, and a closed port does not stop the board. What it prints
    /// meanwhile stays unread.
    public func runPrinter(for duration: Duration) {
        guard !isPoweredOff else { return }
        printer.advance(to: clock + duration, appendingOutputTo: &received)
        clock = printer.now
    }

    public func now() -> MonotonicInstant { clock }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SerialError) -> Int {
        if isPoweredOff {
            written.append(contentsOf: bytes)
            return bytes.count
        }
        let taken = min(bytes.count, max(0, Self.outputBufferBytes - printer.bytesInTransitToFirmware))
        guard taken > 0 else { return 0 }
        let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<taken])
        printer.hostWrote(chunk, at: clock)
        written.append(contentsOf: chunk)
        return taken
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialError) -> Int {
        let count = min(buffer.count, received.count - receivedOffset)
        guard count > 0 else { return 0 }
        received.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[receivedOffset..<receivedOffset + count]))
        }
        receivedOffset += count
        if receivedOffset == received.count {
            received.removeAll(keepingCapacity: true)
            receivedOffset = 0
        }
        return count
    }

    public func wait(until deadline: MonotonicInstant, writing: Bool) throws(SerialError) -> LinkWake {
        let limit = startedAt + timeLimit
        guard clock < limit else {
            throw .disconnected(path: path, reason: "the virtual clock reached its limit of \(timeLimit) with the link still up")
        }
        var wake = readiness(writing: writing)
        guard wake.isEmpty else { return wake }
        let target = min(deadline, limit)
        if isPoweredOff {
            clock = max(clock, target)
            return readiness(writing: writing)
        }
        while let next = printer.nextEventInstant, next <= target {
            printer.advance(to: next, appendingOutputTo: &received)
            clock = printer.now
            wake = readiness(writing: writing)
            if !wake.isEmpty { return wake }
        }
        printer.advance(to: target, appendingOutputTo: &received)
        clock = printer.now
        return readiness(writing: writing)
    }

    /// A virtual board never disappears from the bus.
    public func isDevicePresent() -> Bool { true }

    private func readiness(writing: Bool) -> LinkWake {
        var wake: LinkWake = []
        if receivedOffset < received.count { wake.insert(.readable) }
        if writing, isPoweredOff || printer.bytesInTransitToFirmware < Self.outputBufferBytes { wake.insert(.writable) }
        return wake
    }
}
