#if canImport(Glibc)
import Glibc
#endif

/// Why USB serial devices cannot be listed or followed, and what to do about it.
public enum USBError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `udev_new` failed: libudev could not start (out of memory, or no usable `/sys`).
    case udevUnavailable(code: Int32)
    /// `udev_enumerate_scan_devices` failed.
    case enumerationFailed(code: Int32)
    /// udevd is not running (`/run/udev/control` is absent), so a udev monitor would be
    /// created but never hear an event.
    case udevNotRunning(controlPath: String)
    /// The kernel refused the netlink socket behind the udev monitor (a container without
    /// network-namespace access to uevents, or a seccomp filter).
    case monitorUnavailable(step: String, code: Int32)
    /// `poll` on the monitor's descriptor failed.
    case waitFailed(code: Int32)

    public var description: String {
        switch self {
        case .udevUnavailable(let code):
            "libudev cannot start (udev_new: \(Self.reason(code))); is /sys mounted?"
        case .enumerationFailed(let code):
            "listing tty devices through libudev failed (udev_enumerate_scan_devices: \(Self.reason(code))); is /sys mounted and readable?"
        case .udevNotRunning(let path):
            "udevd is not running (\(path) is missing), so no hot-plug events arrive; printedge rescans /sys instead. Start systemd-udevd for immediate hot-plug"
        case .monitorUnavailable(let step, let code):
            "the udev monitor cannot be created (\(step): \(Self.reason(code))); a container without access to the host's uevents does this. printedge rescans /sys instead"
        case .waitFailed(let code):
            "waiting for udev events failed (poll: \(Self.reason(code)))"
        }
    }

    static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
