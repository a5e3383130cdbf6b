#if canImport(Glibc)
import Glibc
#endif
import PrintEdgePOSIX

/// One daemon per state directory: an exclusive `flock(2)` on `<state>/printedged.lock`,
/// taken before anything in the directory is touched and held until the process exits.
/// `printedge restore` takes it too, so no daemon starts on a database being replaced.
///
/// A second daemon on the same directory would mark the first one's running job
/// `interrupted` and, when it exits, remove the socket and links the first one still uses.
/// The lock, not the pid written into the file, is the truth: the kernel drops a flock when
/// its holder dies, however it dies, so a file a crashed daemon left blocks nobody, and a pid
/// reused by another process means nothing. The pid is for the refusal's message and for
/// people. The descriptor is close-on-exec: a `printedge-sim` child inheriting it would hold
/// the lock on after its daemon died. The file itself is never removed: a daemon that opened
/// it just before it was unlinked would lock a file nobody else sees.
public final class StateDirectoryLock: Sendable {
    public static let fileName = "printedged.lock"

    /// Why the lock was not taken.
    public enum Refusal: Error, Sendable, Equatable {
        /// Another process holds it: a daemon (its pid, once it has written it), or a restore.
        case held(pid: Int32?)
        /// The lock file cannot be opened: the directory is not the user's.
        case cannotOpen(path: String, reason: String)
        /// `flock` fails for another reason than a holder: a filesystem without locks (NFS).
        case cannotLock(path: String, reason: String)
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock of `stateDirectory`, which must exist; refuses with the holder's pid
    /// when another process has it.
    public init(stateDirectory: String) throws(Refusal) {
        let path = Self.path(in: stateDirectory)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = code == EWOULDBLOCK ? Self.writtenPID(descriptor) : nil
            close(descriptor)
            guard code == EWOULDBLOCK else { throw .cannotLock(path: path, reason: String(cString: strerror(code))) }
            throw .held(pid: holder)
        }
        // For people and for the next refusal's message; a failure here changes nothing.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    public static func path(in stateDirectory: String) -> String {
        stateDirectory.hasSuffix("/") ? stateDirectory + fileName : stateDirectory + "/" + fileName
    }

    /// The pid of the daemon holding the lock of `stateDirectory`, found without taking the
    /// lock (even for an instant, which would refuse a daemon starting at that moment):
    /// `/proc/locks` lists every lock held with its file's device and inode. `nil` when none
    /// is held, or it cannot be told.
    public static func holder(of stateDirectory: String) -> pid_t? {
        let path = path(in: stateDirectory)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        // /proc/locks writes the device as `major:minor` in hex, as glibc's major()/minor() decode st_dev.
        let device = UInt64(info.st_dev)
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
        let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
        let identity = "\(String(major, radix: 16)):\(String(minor, radix: 16)):\(info.st_ino)"
        guard let locks = readProcLocks() else { return nil }
        for line in locks.split(separator: "\n") {
            // `1: FLOCK  ADVISORY  WRITE 14564 fe:00:16220979 0 EOF`; waiters (`1: -> FLOCK …`) hold nothing.
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", Self.sameFile(fields[5], identity) else { continue }
            return writtenPID(descriptor) ?? pid_t(fields[4])
        }
        return nil
    }

    /// `fe:00:123` and `fe:0:123` name one file: the kernel pads the numbers to two digits.
    private static func sameFile(_ field: Substring, _ identity: String) -> Bool {
        let parts = field.split(separator: ":")
        let wanted = identity.split(separator: ":")
        guard parts.count == 3 else { return false }
        return UInt64(parts[0], radix: 16) == UInt64(wanted[0], radix: 16) && UInt64(parts[1], radix: 16) == UInt64(wanted[1], radix: 16)
            && parts[2] == wanted[2]
    }

    private static func readProcLocks() -> String? {
        (try? FileContents.read("/proc/locks")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The pid the holder wrote, if it has yet.
    private static func writtenPID(_ descriptor: Int32) -> pid_t? {
        var buffer = [UInt8](repeating: 0, count: 24)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return pid_t(String(decoding: buffer[..<count].prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
    }
}
