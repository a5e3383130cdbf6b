import Glibc
import PrintEdgePOSIX

/// Non-blocking read and write on a tty file descriptor, shared by both ends of a link
/// (`SerialPort` on the host side, `PseudoTerminal` on the virtual printer's side) so that
/// "nothing yet" and "gone" mean the same thing everywhere.
enum TerminalIO {
    /// Reads what is available now; 0 means nothing is.
    ///
    /// With VMIN=0 and VTIME=0 the line discipline answers "no data" with a 0-byte read,
    /// even on an O_NONBLOCK fd (n_tty_read checks the zero timeout before O_NONBLOCK), and
    /// a hung-up tty also reads 0 bytes forever. A zero-timeout poll tells them apart: only
    /// a hung-up tty reports POLLHUP. The extra syscall is paid only on empty reads, which a
    /// poll-driven caller makes only when something happened.
    static func read(
        fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String
    ) throws(SerialError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(fd, base, buffer.count)
            if count > 0 { return count }
            if count == 0 {
                if hasHungUp(fd: fd) {
                    throw .disconnected(path: path, reason: "the other end hung up")
                }
                return 0
            }
            let code = errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return 0
            case EIO, ENXIO, ENODEV:
                throw .disconnected(path: path, reason: "read: \(SystemCallError.describe(errno: code))")
            default:
                throw .system(operation: "read", path: path, errno: code)
            }
        }
    }

    /// Writes what the driver accepts now; 0 means its buffer is full (poll for writable).
    static func write(
        fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String
    ) throws(SerialError) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        while true {
            let count = Glibc.write(fd, base, bytes.count)
            if count >= 0 { return count }
            let code = errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return 0
            case EIO, EPIPE, ENXIO, ENODEV:
                throw .disconnected(path: path, reason: "write: \(SystemCallError.describe(errno: code))")
            default:
                throw .system(operation: "write", path: path, errno: code)
            }
        }
    }

    static func hasHungUp(fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 0)
        return ready > 0 && (Int32(entry.revents) & (POLLHUP | POLLERR | POLLNVAL)) != 0
    }

    /// Closes without retrying on EINTR: on Linux the fd is released even then, and a retry
    /// could close a descriptor another thread has just been given.
    static func closeIgnoringErrors(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
