import CSerial
import Glibc

/// The virtual printer's end of a pseudo-terminal: hosts open `slavePath` (or the symlink)
/// exactly as they would open `/dev/ttyACM0`, and the simulator reads and writes the master.
///
/// The pty keeps a descriptor of its own on the slave end for its whole life. Without one,
/// the master reports POLLHUP and reads fail with EIO whenever no host has the port open —
/// before the first host connects and between a host's close and its reopen — so a
/// simulator polling the master would spin. With it, hosts come and go and the master only
/// sees quiet.
///
/// Not `Sendable`, for the same reason as `SerialPort`: one owner reads the master.
public final class PseudoTerminal {
    /// The `/dev/pts/N` node hosts open.
    public let slavePath: String

    /// The stable name created for hosts' configuration files, if one was asked for.
    public let symlinkPath: String?

    /// For `PollSet`; -1 once closed.
    public private(set) var masterFileDescriptor: Int32

    private var slaveFileDescriptor: Int32

    /// Opens a pty pair, both ends raw, the master non-blocking, both close-on-exec.
    ///
    /// With `symlinkPath`, also points a symlink there, replacing an existing symlink (a
    /// previous simulator that crashed left it behind) but never a file or directory.
    public init(symlinkPath: String? = nil) throws(SerialError) {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        let opened = name.withUnsafeMutableBufferPointer { buffer in
            cserial_open_pty(&master, &slave, buffer.baseAddress, buffer.count)
        }
        guard opened == 0 else {
            throw .system(operation: "posix_openpt", path: "/dev/ptmx", errno: errno)
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func discard() {
            TerminalIO.closeIgnoringErrors(master)
            TerminalIO.closeIgnoringErrors(slave)
        }
        // The rate is meaningless on a pty; raw mode is what matters: no echo back to the
        // host, no CR/NL rewriting of G-code or replies, no ^C turned into a signal.
        for fd in [master, slave] where cserial_set_raw_8n1(fd, 115_200) != 0 {
            let code = errno
            discard()
            throw .system(operation: "ioctl(TCSETS2)", path: path, errno: code)
        }
        if let symlinkPath {
            do throws(SerialError) {
                try PseudoTerminal.createSymlink(at: symlinkPath, pointingTo: path)
            } catch {
                discard()
                throw error
            }
        }
        masterFileDescriptor = master
        slaveFileDescriptor = slave
        slavePath = path
        self.symlinkPath = symlinkPath
    }

    deinit {
        close()
    }

    /// Reads what the host wrote; 0 means nothing yet. Never blocks.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialError) -> Int {
        try TerminalIO.read(fd: masterFileDescriptor, into: buffer, path: slavePath)
    }

    /// Writes toward the host; returns how many bytes the pty took, 0 when full. Never blocks.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SerialError) -> Int {
        try TerminalIO.write(fd: masterFileDescriptor, bytes, path: slavePath)
    }

    /// Closes both ends and removes the symlink if it still points at this pty; later
    /// calls do nothing. A host with the port open sees a hangup, as on a pulled cable.
    public func close() {
        if let symlinkPath, PseudoTerminal.symlinkTarget(at: symlinkPath) == slavePath {
            _ = unlink(symlinkPath)
        }
        if masterFileDescriptor >= 0 {
            TerminalIO.closeIgnoringErrors(masterFileDescriptor)
            masterFileDescriptor = -1
        }
        if slaveFileDescriptor >= 0 {
            TerminalIO.closeIgnoringErrors(slaveFileDescriptor)
            slaveFileDescriptor = -1
        }
    }

    /// Replaces an old symlink atomically (a new one renamed over it), so a host watching
    /// the path never sees it missing.
    private static func createSymlink(at link: String, pointingTo target: String) throws(SerialError) {
        var info = stat()
        if lstat(link, &info) != 0 {
            let code = errno
            guard code == ENOENT else { throw .system(operation: "lstat", path: link, errno: code) }
            guard symlink(target, link) == 0 else {
                throw .system(operation: "symlink", path: link, errno: errno)
            }
            return
        }
        guard info.st_mode & S_IFMT == S_IFLNK else { throw .pathOccupied(path: link) }
        let temporary = "\(link).\(getpid()).tmp"
        _ = unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw .system(operation: "symlink", path: temporary, errno: errno)
        }
        guard rename(temporary, link) == 0 else {
            let code = errno
            _ = unlink(temporary)
            throw .system(operation: "rename", path: link, errno: code)
        }
    }

    private static func symlinkTarget(at link: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = buffer.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return -1 }
            return readlink(link, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard length >= 0 else { return nil }
        return String(decoding: buffer.prefix(length), as: UTF8.self)
    }
}

@available(*, unavailable, message: "a PseudoTerminal has one owner; move it with `sending`")
extension PseudoTerminal: Sendable {}
