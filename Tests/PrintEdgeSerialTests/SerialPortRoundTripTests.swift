import Glibc
import PrintEdgeSerial
import Testing

@Suite("Serial port over a real pty")
struct SerialPortRoundTripTests {
    /// Every byte value, including ^C (ISIG), ^S/^Q (IXON), ^D (ICANON EOF), DEL, NUL and
    /// the CR/LF pair: any cooked-mode processing left on either end would alter one.
    static let allByteValues = (0...255).map { UInt8($0) }

    @Test("bytes cross both ways unchanged, without echo, at standard and BOTHER rates",
          arguments: [115_200, 250_000, 1_000_000])
    func bytesCrossUnchangedAtRate(baudRate: Int) throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(.init(path: pty.slavePath, baudRate: baudRate))
        let host = LinkEndpoint(port)
        let printer = LinkEndpoint(pty)

        // A pty has no divisor: the kernel stores the termios2 rate and reports it back,
        // so this proves the BOTHER request reached the driver, not that a wire runs at it.
        let speed = try port.speed()
        #expect(speed.input == baudRate)
        #expect(speed.output == baudRate)

        let command = bytes("N1 M105*38\r\n")
        #expect(try transfer(command, from: host, to: printer).received == command)

        // Had the slave echoed the command, the printer side would read it back before
        // this reply; had the master echoed, the host would. Exact equality rules out both.
        let reply = bytes("ok T:210.0 /210.0 B:60.0 /60.0\r\n")
        #expect(try transfer(reply, from: printer, to: host).received == reply)

        let block = Self.allByteValues + bytes("\r\n\n\r")
        #expect(try transfer(block, from: host, to: printer).received == block)
        #expect(try transfer(block, from: printer, to: host).received == block)
    }

    @Test("a 64 KB write drains through non-blocking writes without losing a byte or spinning",
          arguments: [true, false])
    func largeWriteDrainsWithPoll(hostSends: Bool) throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 250_000))
        let payload = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let (sender, receiver) = hostSends ? (LinkEndpoint(port), LinkEndpoint(pty)) : (LinkEndpoint(pty), LinkEndpoint(port))

        let result = try transfer(payload, from: sender, to: receiver)

        #expect(result.received == payload)
        // Each wake-up moved bytes: the loop slept in ppoll whenever the pty was full.
        #expect(result.idleWakeups == 0)
        #expect(result.writes > 1, "64 KB does not fit a pty's buffers: the sender must have waited")
    }

    @Test("the port no longer hangs up on close, so a host crash does not drop DTR and reset the board")
    func hangupOnCloseIsCleared() throws {
        let pty = try PseudoTerminal()
        var settings = termios()
        let slave = open(pty.slavePath, O_RDWR | O_NOCTTY)
        #expect(slave >= 0)
        defer { close(slave) }
        #expect(tcgetattr(slave, &settings) == 0)
        settings.c_cflag |= tcflag_t(HUPCL)  // as most systems leave a freshly enumerated tty
        #expect(tcsetattr(slave, TCSANOW, &settings) == 0)

        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        #expect(tcgetattr(port.fileDescriptor, &settings) == 0)
        #expect(settings.c_cflag & tcflag_t(HUPCL) == 0)
    }

    @Test("opening with DTR toggle succeeds on a device without modem lines")
    func dtrToggleIsSkippedWithoutModemLines() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200, toggleDTROnOpen: true))
        let line = bytes("M115\n")
        #expect(try transfer(line, from: LinkEndpoint(port), to: LinkEndpoint(pty)).received == line)
    }

    @Test("a pty reports an empty output queue even while its bytes are unread")
    func ptyOutputQueueIsAlwaysEmpty() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        let line = bytes("G28\n")
        #expect(try line.withUnsafeBytes { try port.write($0) } == line.count)
        // A pty writes straight into the other end's buffer, so TIOCOUTQ only proves the
        // ioctl path here; on a USB-serial adapter it counts bytes not yet on the wire.
        #expect(try port.outputQueueByteCount() == 0)
    }

    @Test("bytes the printer sent before the host opened are discarded")
    func staleInputIsFlushedOnOpen() throws {
        let pty = try PseudoTerminal()
        let stale = bytes("echo:stale reply from a previous session\n")
        let accepted = try stale.withUnsafeBytes { try pty.write($0) }
        #expect(accepted == stale.count)

        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        // Had the stale line survived the open, it would arrive ahead of this one.
        let fresh = bytes("start\n")
        #expect(try transfer(fresh, from: LinkEndpoint(pty), to: LinkEndpoint(port)).received == fresh)
    }
}
