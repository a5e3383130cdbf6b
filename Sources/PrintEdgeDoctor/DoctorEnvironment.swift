#if canImport(Glibc)
import Glibc
#endif
import CTimex
import PrintEdgeControl

/// What the doctor reads that is not a file under the root: the kernel's clock state, a
/// filesystem's free space, who runs the doctor. The system's by default; a test gives its
/// own, beside its fake tree.
public struct DoctorEnvironment: Sendable {
    /// The kernel's view of the clock (`adjtimex(2)`, read-only).
    public enum ClockState: Sendable, Equatable {
        case synchronised
        /// `STA_UNSYNC`: no time daemon has disciplined the clock (or it gave up).
        case unsynchronised
        case unknown(String)
    }

    /// `/`, or a test's fake tree.
    public var root: String
    public var clock: @Sendable () -> ClockState
    /// Milliseconds since the epoch, for "the clock says 1970".
    public var nowMS: @Sendable () -> Int64
    public var freeSpace: @Sendable (String) -> HealthVerdict.DiskSpace?
    /// The doctor's own user: who printedged runs as when started by hand.
    public var invoker: Invoker
    /// How long the broker may take to accept the connection.
    public var brokerTimeout: Duration

    public struct Invoker: Sendable, Equatable {
        public var user: String
        public var uid: UInt32
        public var gid: UInt32
        public var groups: [UInt32]

        public init(user: String, uid: UInt32, gid: UInt32, groups: [UInt32]) {
            self.user = user
            self.uid = uid
            self.gid = gid
            self.groups = groups
        }
    }

    public init(root: String, clock: @escaping @Sendable () -> ClockState, nowMS: @escaping @Sendable () -> Int64,
                freeSpace: @escaping @Sendable (String) -> HealthVerdict.DiskSpace?, invoker: Invoker, brokerTimeout: Duration = .seconds(10)) {
        self.root = root
        self.clock = clock
        self.nowMS = nowMS
        self.freeSpace = freeSpace
        self.invoker = invoker
        self.brokerTimeout = brokerTimeout
    }

    /// This machine as it is.
    public static var system: DoctorEnvironment {
        DoctorEnvironment(root: "/", clock: systemClock, nowMS: {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
        }, freeSpace: { path in
            var info = statvfs()
            guard statvfs(path, &info) == 0 else { return nil }
            return HealthVerdict.DiskSpace(availableBytes: Int64(info.f_bavail) * Int64(info.f_frsize),
                                           totalBytes: Int64(info.f_blocks) * Int64(info.f_frsize))
        }, invoker: currentUser())
    }

    /// `adjtimex` with no mode bits set only reads; every time daemon (systemd-timesyncd,
    /// chrony, ntpd) clears `STA_UNSYNC` once it disciplines the clock, and timedatectl's
    /// `NTPSynchronized` is read the same way.
    private static let systemClock: @Sendable () -> ClockState = {
        var buffer = timex()
        let state = adjtimex(&buffer)
        guard state >= 0 else { return .unknown(String(cString: strerror(errno))) }
        // STA_UNSYNC (0x0040), and TIME_ERROR (5) as the state.
        return buffer.status & 0x0040 != 0 || state == 5 ? .unsynchronised : .synchronised
    }

    private static func currentUser() -> Invoker {
        let uid = geteuid()
        let gid = getegid()
        var groups = [gid_t](repeating: 0, count: 256)
        let count = getgroups(Int32(groups.count), &groups)
        let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? String(uid)
        return Invoker(user: name, uid: uid, gid: gid, groups: Array(groups.prefix(Int(max(0, count)))) + [gid])
    }
}
