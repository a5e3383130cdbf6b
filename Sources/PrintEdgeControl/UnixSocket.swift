#if canImport(Glibc)
import Glibc
#endif

/// The few AF_UNIX stream-socket calls the control socket needs, with errno turned into
/// messages that say what to do.
public enum UnixSocket {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var errno: Int32

        public init(operation: String, path: String, errno: Int32) {
            self.operation = operation
            self.path = path
            self.errno = errno
        }

        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// sun_path holds 108 bytes with its terminator.
    public static let maxPathBytes = 107

    /// A blocking, connected client socket.
    public static func connect(path: String) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket for", path: path, errno: errno) }
        var address = try makeAddress(path)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(operation: "connect to", path: path, errno: code)
        }
        return fd
    }

    /// A non-blocking listening socket at `path`, replacing a stale socket file left by a
    /// previous run (but never another kind of file, nor a socket something still listens
    /// on: another daemon's, whose clients would all come here), with the given mode.
    public static func listen(path: String, mode: mode_t) throws(Failure) -> Int32 {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw Failure(operation: "refusing to replace a file that is not a socket:", path: path, errno: EEXIST)
            }
            guard !isListenedOn(path) else {
                throw Failure(operation: "another process listens on", path: path, errno: EADDRINUSE)
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket for", path: path, errno: errno) }
        var address = try makeAddress(path)
        // The socket is created with the final mode at once: no window in which others may connect.
        let previousMask = umask(~mode & 0o777)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let bindErrno = errno
        umask(previousMask)
        guard bound == 0 else {
            close(fd)
            throw Failure(operation: "bind", path: path, errno: bindErrno)
        }
        guard Glibc.listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw Failure(operation: "listen on", path: path, errno: code)
        }
        return fd
    }

    /// A socket file as a listener bound it, by device and inode, so that it is removed at
    /// the end only while it is still that file: another daemon may have bound a socket of its
    /// own at the path since, and its clients must keep reaching it.
    public struct BoundFile: Sendable, Equatable {
        public let path: String
        let device: UInt64
        let inode: UInt64

        /// The file at `path` now; `nil` when there is none.
        public init?(path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return nil }
            self.path = path
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }

        /// Unlinks `path` if it still names this file.
        public func remove() {
            guard BoundFile(path: path) == self else { return }
            unlink(path)
        }
    }

    /// Whether a connection to the socket at `path` is accepted (or would be, once its
    /// backlog has room): a stale socket file refuses (ECONNREFUSED).
    static func isListenedOn(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard var address = try? makeAddress(path) else { return false }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 || errno == EAGAIN
    }

    /// Writes all of `bytes` to a blocking descriptor.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write to", path: "control socket", errno: errno)
            }
            offset += written
        }
    }

    private static func makeAddress(_ path: String) throws(Failure) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxPathBytes else {
            throw Failure(operation: "socket path longer than \(maxPathBytes) bytes:", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }
}
