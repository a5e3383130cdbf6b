import CUdev
#if canImport(Glibc)
import Glibc
#endif

/// udev's hot-plug events for ttys, from udevd's netlink multicast group ("udev", not
/// "kernel": udevd sends an event only after its rules ran, so the `/dev/serial/by-id`
/// links and `ID_*` properties are already there).
///
/// Single-owner, like its `UdevContext`: poll `fileDescriptor` and call
/// `receiveAvailable()` on the thread that created it.
public final class UdevMonitor {
    public static let defaultControlPath = "/run/udev/control"

    private let context: UdevContext
    private let monitor: OpaquePointer
    /// Readable when events wait; non-blocking.
    public let fileDescriptor: Int32

    /// - Parameter controlPath: udevd's control socket. libudev creates a monitor even
    ///   when udevd is not running, one that never hears anything (systemd's
    ///   `device_monitor_new_full` leaves it without a multicast group), so its absence
    ///   is checked first and reported as `udevNotRunning`.
    public init(controlPath: String = defaultControlPath) throws(USBError) {
        guard SysfsFiles.exists(controlPath) else { throw .udevNotRunning(controlPath: controlPath) }
        context = try UdevContext()
        errno = 0
        guard let monitor = udev_monitor_new_from_netlink(context.handle, "udev") else {
            throw .monitorUnavailable(step: "udev_monitor_new_from_netlink", code: errno == 0 ? EPERM : errno)
        }
        var result = udev_monitor_filter_add_match_subsystem_devtype(monitor, "tty", nil)
        let step = result < 0 ? "udev_monitor_filter_add_match_subsystem_devtype" : "udev_monitor_enable_receiving"
        if result >= 0 { result = udev_monitor_enable_receiving(monitor) }
        guard result >= 0 else {
            udev_monitor_unref(monitor)
            throw .monitorUnavailable(step: step, code: -result)
        }
        self.monitor = monitor
        fileDescriptor = udev_monitor_get_fd(monitor)
    }

    deinit {
        udev_monitor_unref(monitor)
    }

    /// Every event queued on the socket, in order, without blocking. `add` and `change`
    /// both read as `add` (a `change` re-describes a present device); other actions are
    /// not about a device appearing or going and are dropped.
    public func receiveAvailable() -> [UdevEvent] {
        var events: [UdevEvent] = []
        while let device = udev_monitor_receive_device(monitor) {
            defer { udev_device_unref(device) }
            let action = udev_device_get_action(device).map { String(cString: $0) }
            let description = UdevContext.describe(device)
            switch action {
            case "add", "change": events.append(UdevEvent(.add, description))
            case "remove": events.append(UdevEvent(.remove, description))
            default: continue
            }
        }
        return events
    }
}
