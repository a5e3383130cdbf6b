import CSerial
import Glibc
import PrintEdgePOSIX

/// The host's end of a USB-serial link to one printer: one tty file descriptor, raw 8N1,
/// non-blocking, driven by `PollSet`.
///
/// A `final class` that is deliberately not `Sendable`: a port has one owner (the printer's
/// actor, or the thread running its I/O loop), and two readers of one tty would split the
/// firmware's reply lines between them. Ownership moves between isolation domains with
/// `sending`, never by sharing. A class rather than a `~Copyable` struct because the owner
/// keeps it in an optional that is replaced on reconnect and hands it to generic code, both
/// still awkward with noncopyable types; `deinit` gives the same closed-when-dropped promise.
public final class SerialPort {
    public struct Configuration: Sendable, Equatable {
        /// Prefer a `/dev/serial/by-id/...` link: `ttyACM0` renumbers when boards are replugged.
        public var path: String
        public var baudRate: Int
        /// Refuses to share the printer with another host: two programs streaming G-code to
        /// one firmware interleave lines and break its line numbering.
        public var exclusive: Bool
        /// Pulses DTR low for 100 ms after opening: the classic Arduino auto-reset, so
        /// Marlin boots and prints `start`. Linux already raises DTR on open, which resets
        /// most AVR boards by itself; this is for boards that need an explicit edge.
        public var toggleDTROnOpen: Bool

        public init(path: String, baudRate: Int, exclusive: Bool = true, toggleDTROnOpen: Bool = false) {
            self.path = path
            self.baudRate = baudRate
            self.exclusive = exclusive
            self.toggleDTROnOpen = toggleDTROnOpen
        }
    }

    public let configuration: Configuration
    public var path: String { configuration.path }

    /// For `PollSet`; -1 once closed.
    public private(set) var fileDescriptor: Int32

    /// Whether TIOCEXCL was set and so must be cleared again on close.
    private var holdsExclusiveFlag = false

    /// Opens and configures the port; on any failure nothing stays open.
    public init(_ configuration: Configuration) throws(SerialError) {
        self.configuration = configuration
        let path = configuration.path
        guard configuration.baudRate > 0, configuration.baudRate <= Int(UInt32.max) else {
            throw .unsupportedBaudRate(path: path, baudRate: configuration.baudRate)
        }
        // O_NOCTTY: a daemon without a controlling terminal would otherwise acquire the
        // printer as one, and a hangup would send it SIGHUP. O_NONBLOCK: open must not wait
        // for carrier detect, since CLOCAL is not set until we configure the port.
        let fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw SerialPort.openError(errno: errno, path: path)
        }
        fileDescriptor = fd
        do {
            try configure()
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    private func configure() throws(SerialError) {
        let fd = fileDescriptor
        let path = configuration.path
        guard isatty(fd) == 1 else {
            let code = errno
            throw code == ENOTTY ? .notATerminal(path: path) : .system(operation: "isatty", path: path, errno: code)
        }
        if configuration.exclusive {
            // TIOCEXCL alone is not enough: it does not stop root (CAP_SYS_ADMIN), and
            // pyserial-based hosts such as OctoPrint use flock instead, so take both.
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                throw code == EWOULDBLOCK ? .busy(path: path) : .system(operation: "flock", path: path, errno: code)
            }
            guard cserial_set_exclusive(fd) == 0 else {
                throw .system(operation: "ioctl(TIOCEXCL)", path: path, errno: errno)
            }
            holdsExclusiveFlag = true
        }
        guard cserial_set_raw_8n1(fd, UInt32(configuration.baudRate)) == 0 else {
            let code = errno
            switch code {
            case EINVAL: throw .unsupportedBaudRate(path: path, baudRate: configuration.baudRate)
            case ENOTTY: throw .notATerminal(path: path)
            default: throw .system(operation: "ioctl(TCSETS2)", path: path, errno: code)
            }
        }
        if configuration.toggleDTROnOpen {
            try pulseDTR()
        }
        // Bytes that arrived before we were listening (a previous session's replies,
        // bootloader noise during the reset) would be mistaken for answers to our lines.
        guard cserial_flush_input(fd) == 0 else {
            throw .system(operation: "ioctl(TCFLSH)", path: path, errno: errno)
        }
    }

    /// Drops DTR for `lowDuration`, then raises it, blocking the caller meanwhile.
    ///
    /// A device without modem-control lines (a pty, some CDC-ACM firmwares) has nothing to
    /// reset, so ENOTTY/EINVAL from the ioctl are not errors.
    public func pulseDTR(lowDuration: Duration = .milliseconds(100)) throws(SerialError) {
        if cserial_set_dtr(fileDescriptor, 0) != 0 {
            let code = errno
            if code == ENOTTY || code == EINVAL { return }
            throw .system(operation: "ioctl(TIOCMBIC, DTR)", path: path, errno: code)
        }
        SerialPort.sleep(lowDuration)
        guard cserial_set_dtr(fileDescriptor, 1) == 0 else {
            throw .system(operation: "ioctl(TIOCMBIS, DTR)", path: path, errno: errno)
        }
    }

    /// Reads what has arrived; 0 means nothing yet (wait with `PollSet`). Never blocks.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialError) -> Int {
        try TerminalIO.read(fd: fileDescriptor, into: buffer, path: path)
    }

    /// Queues bytes for sending; returns how many the driver took, 0 when its buffer is
    /// full (wait for `.writable`). Never blocks.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SerialError) -> Int {
        try TerminalIO.write(fd: fileDescriptor, bytes, path: path)
    }

    /// Whether `path` still names the device we hold open.
    ///
    /// An unplugged USB adapter normally hangs up the tty, but a removed by-id link or a
    /// node recreated for a replugged board (same major/minor, new inode) does not touch our
    /// fd. Comparing inode as well as st_rdev catches both.
    public func isDevicePresent() -> Bool {
        var opened = stat()
        var named = stat()
        guard fstat(fileDescriptor, &opened) == 0, stat(path, &named) == 0 else { return false }
        return named.st_rdev == opened.st_rdev && named.st_ino == opened.st_ino && named.st_dev == opened.st_dev
    }

    /// The rates the driver reports back (TCGETS2). On a pty they echo what was asked;
    /// on a USB-serial chip they may be the nearest rate its divisor can make.
    public func speed() throws(SerialError) -> (input: Int, output: Int) {
        var input: UInt32 = 0
        var output: UInt32 = 0
        guard cserial_get_speed(fileDescriptor, &input, &output) == 0 else {
            throw .system(operation: "ioctl(TCGETS2)", path: path, errno: errno)
        }
        return (Int(input), Int(output))
    }

    /// Bytes written but not yet on the wire (TIOCOUTQ): lets a caller wait for an
    /// emergency M112 to leave before closing.
    public func outputQueueByteCount() throws(SerialError) -> Int {
        var count: Int32 = 0
        guard cserial_output_queue_bytes(fileDescriptor, &count) == 0 else {
            throw .system(operation: "ioctl(TIOCOUTQ)", path: path, errno: errno)
        }
        return Int(count)
    }

    /// Closes the port; later calls do nothing.
    ///
    /// Clears TIOCEXCL first: the flag belongs to the tty, not to our fd, and a tty that
    /// someone else keeps open (the simulator holds its pty's slave end) would otherwise
    /// stay locked against the next host. The kernel may block here until queued output
    /// drains (bounded by the driver's closing_wait).
    public func close() {
        guard fileDescriptor >= 0 else { return }
        if holdsExclusiveFlag {
            _ = cserial_clear_exclusive(fileDescriptor)
            holdsExclusiveFlag = false
        }
        TerminalIO.closeIgnoringErrors(fileDescriptor)
        fileDescriptor = -1
    }

    static func openError(errno code: Int32, path: String) -> SerialError {
        switch code {
        case ENOENT, ENXIO, ENODEV, ENOTDIR: .notFound(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        case EBUSY: .busy(path: path)
        case EISDIR: .notATerminal(path: path)
        default: .system(operation: "open", path: path, errno: code)
        }
    }

    private static func sleep(_ duration: Duration) {
        var request = timespec(clamping: duration)
        var remaining = timespec()
        while clock_nanosleep(CLOCK_MONOTONIC, 0, &request, &remaining) == EINTR {
            request = remaining
        }
    }
}

@available(*, unavailable, message: "a SerialPort has one owner; move it with `sending`")
extension SerialPort: Sendable {}
