import PrintEdgePOSIX

/// Everything that can go wrong talking to a serial port, a pseudo-terminal or a poll set.
///
/// Each message names what happened, the path involved and what the user can do about it,
/// because these end up verbatim in `printedge` output and in fleet events, read by someone
/// standing next to a printer rather than by a developer.
public enum SerialError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The device node does not exist: unplugged, wrong name, or USB enumeration still running.
    case notFound(path: String)
    /// The process may not open the node: on Debian, ttys belong to group `dialout`.
    case permissionDenied(path: String)
    /// Another process holds the port exclusively (TIOCEXCL, or a `flock` as pyserial does).
    case busy(path: String)
    /// The path exists but is not a terminal device (a regular file, a directory, a socket).
    case notATerminal(path: String)
    /// The driver refused the rate (USB-serial chips each support their own set).
    case unsupportedBaudRate(path: String, baudRate: Int)
    /// The device went away: cable pulled, board reset re-enumerated it, or the virtual
    /// printer's pty was closed.
    case disconnected(path: String, reason: String)
    /// A symlink for a virtual printer was asked for at a path that holds something else.
    case pathOccupied(path: String)
    /// Any other failing system call, with its errno.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): no such device — check the USB cable and power, and list the "
                + "ports with `ls /dev/serial/by-id/`"
        case .permissionDenied(let path):
            return "\(path): permission denied — add the user to the `dialout` group "
                + "(`sudo usermod -aG dialout $USER`, then log in again)"
        case .busy(let path):
            return "\(path) is in use by another program (OctoPrint? another printedge?) — "
                + "close it or pick another port"
        case .notATerminal(let path):
            return "\(path) is not a serial device — point the printer at its tty, "
                + "e.g. /dev/ttyACM0 or a /dev/serial/by-id/ link"
        case .unsupportedBaudRate(let path, let baudRate):
            return "\(path): the driver rejected \(baudRate) baud — use a rate the "
                + "USB-serial chip supports (115200 and 250000 are Marlin's usual ones)"
        case .disconnected(let path, let reason):
            return "\(path) disconnected (\(reason)) — check the cable; the printer may "
                + "have reset or lost power"
        case .pathOccupied(let path):
            return "\(path) exists and is not a symlink — refusing to replace it; choose "
                + "another path for the virtual printer's link or remove the file"
        case .system(let operation, let path, let code):
            return "\(operation) on \(path) failed: \(SystemCallError.describe(errno: code)) "
                + "(errno \(code))"
        }
    }

    /// A `PollSet` or `WakeupPipe` failure, worded as every other failing call on the link.
    public init(_ failure: SystemCallError) {
        self = .system(operation: failure.operation, path: failure.subject, errno: failure.errno)
    }
}
