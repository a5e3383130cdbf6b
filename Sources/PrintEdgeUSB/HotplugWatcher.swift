#if canImport(Glibc)
import Glibc
#endif

/// Hot-plug events for USB serial devices: from udev's monitor when udevd runs, else from
/// rescanning sysfs every `rescanInterval` (containers, minimal systems, test trees).
///
/// Use from one thread: `scan()` once for the devices present at start (the monitor is
/// already listening then, so nothing plugged in between is missed), then
/// `waitForEvents` in a loop.
public final class HotplugWatcher {
    public enum Mode: Sendable, Equatable {
        case udevMonitor
        /// Rescanning, and why the monitor could not be used.
        case rescan(interval: Duration, reason: String)
    }

    public let mode: Mode
    private let monitor: UdevMonitor?
    private var rescanner: PortRescanner
    private var nextRescan: ContinuousClock.Instant

    /// Uses udev's monitor when `scanner` reads the real `/sys` and udevd runs; otherwise
    /// rescans, with the reason in `mode`.
    public init(
        scanner: USBPortScanner = USBPortScanner(), rescanInterval: Duration = .seconds(2),
        udevControlPath: String = UdevMonitor.defaultControlPath
    ) {
        rescanner = PortRescanner(scanner: scanner)
        nextRescan = .now + rescanInterval
        guard scanner.usesLibudev else {
            monitor = nil
            mode = .rescan(interval: rescanInterval, reason: "sysfs root \(scanner.sysfs.sysfsRoot) is not /sys")
            return
        }
        do {
            monitor = try UdevMonitor(controlPath: udevControlPath)
            mode = .udevMonitor
        } catch {
            monitor = nil
            mode = .rescan(interval: rescanInterval, reason: error.description)
        }
    }

    /// The USB serial devices present now; the baseline for rescans.
    public func scan() throws(USBError) -> USBPortScanner.Scan {
        try rescanner.scan()
    }

    /// Waits up to `timeout` for devices to come or go and returns what happened (often
    /// nothing). Returns early, with no events, when `wakeup` becomes readable, so a
    /// stopping daemon is not held up by a long timeout.
    public func waitForEvents(timeout: Duration, wakeup: Int32? = nil) throws(USBError) -> [UdevEvent] {
        switch mode {
        case .udevMonitor:
            guard let monitor else { preconditionFailure("HotplugWatcher: udevMonitor mode without a monitor") }
            guard try wait(for: monitor.fileDescriptor, wakeup: wakeup, timeout: timeout) else { return [] }
            return monitor.receiveAvailable().filter { $0.action == .remove || $0.device.hasUSBParent }
        case .rescan(let interval, _):
            let untilRescan = ContinuousClock.now.duration(to: nextRescan)
            if untilRescan > .zero {
                _ = try wait(for: nil, wakeup: wakeup, timeout: min(timeout, untilRescan))
                guard ContinuousClock.now >= nextRescan else { return [] }
            }
            nextRescan = .now + interval
            return try rescanner.rescan()
        }
    }

    /// Polls `descriptor` and `wakeup`; true when `descriptor` is readable.
    private func wait(for descriptor: Int32?, wakeup: Int32?, timeout: Duration) throws(USBError) -> Bool {
        var descriptors = [descriptor, wakeup].compactMap { $0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        // Rounded up: a wait cut short of the deadline would return before a rescan is due,
        // and a caller looping on it would spin.
        let (seconds, attoseconds) = max(timeout, .zero).components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let milliseconds =
            seconds >= Int64(Int32.max) / 1000
            ? Int32.max : Int32(seconds * 1000 + (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
        while true {
            let count = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if count >= 0 { break }
            if errno != EINTR { throw .waitFailed(code: errno) }
        }
        return descriptor != nil && descriptors[0].revents & Int16(POLLIN) != 0
    }
}
