import Logging
import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeUSB
import ServiceLifecycle
import Synchronization

/// Follows USB serial devices for the printers found by a `match`: which device each is on,
/// through unplugs and replugs under new names.
///
/// One thread of its own owns the `HotplugWatcher` (udev's monitor, or rescans of sysfs
/// where udevd does not run) and the `HotplugTracker`: it takes the devices present at
/// start, then every add and remove, and the tracker's `HotplugAction`s go, in order, to the
/// printers' actors (`Printer.hotplug`), which open, close or wait. The watcher is created
/// on that thread, since a udev monitor is used by the thread that made it.
final class HotplugService: Service, Sendable {
    /// Where devices are looked for: the system's `/sys` and `/dev` (udev's monitor when
    /// udevd runs), or a test's fake tree, which is rescanned.
    struct Discovery: Sendable {
        var scanner: USBPortScanner
        /// How often sysfs is rescanned when no udev monitor can be had.
        var rescanInterval: Duration
        var udevControlPath: String

        static let system = Discovery(scanner: USBPortScanner(), rescanInterval: .seconds(2), udevControlPath: UdevMonitor.defaultControlPath)
    }

    private let discovery: Discovery
    private let tracked: [HotplugTracker.Printer]
    private let printers: [String: Printer]
    private let logger: Logger
    private let wakeup: WakeupPipe
    private let stopping = Atomic<Bool>(false)

    /// `nil` when no printer has a match: nothing to follow.
    init?(printers: [Printer], discovery: Discovery, logger: Logger) throws(DaemonError) {
        let tracked = printers.compactMap { printer in printer.setup.match.map { HotplugTracker.Printer(id: printer.setup.id, match: $0) } }
        guard !tracked.isEmpty else { return nil }
        self.tracked = tracked
        self.printers = Dictionary(printers.map { ($0.setup.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.discovery = discovery
        self.logger = logger
        do {
            wakeup = try WakeupPipe()
        } catch {
            throw .usb("the hot-plug service cannot start: \(error)")
        }
    }

    func run() async throws {
        let (actions, continuation) = AsyncStream<HotplugAction>.makeStream()
        await withGracefulShutdownHandler {
            async let watching: Void = DedicatedThread.run { [self] in
                watch { continuation.yield($0) }
                continuation.finish()
            }
            for await action in actions {
                log(action)
                await printers[action.printerID]?.hotplug(action)
            }
            await watching
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wakeup.wake()
        }
    }

    // MARK: - The thread

    private func watch(_ emit: (HotplugAction) -> Void) {
        let watcher = HotplugWatcher(
            scanner: discovery.scanner, rescanInterval: discovery.rescanInterval, udevControlPath: discovery.udevControlPath)
        switch watcher.mode {
        case .udevMonitor:
            logger.info("USB hot-plug: following udev's events for \(tracked.map(\.id).joined(separator: ", "))")
        case .rescan(let interval, let reason):
            logger.notice("USB hot-plug: rescanning every \(interval) (\(reason))")
        }
        var tracker = HotplugTracker(printers: tracked)
        var needsFullScan = true
        var lastFailure: String?
        while !stopping.load(ordering: .relaxed) {
            do throws(USBError) {
                if needsFullScan {
                    // At start, and after a failure: whatever happened meanwhile is read whole.
                    let scan = try watcher.scan()
                    needsFullScan = false
                    tracker.devicesEnumerated(scan.devices.compactMap { USBSerialPort(udevProperties: $0.properties) }).forEach(emit)
                }
                for event in try watcher.waitForEvents(timeout: .seconds(3600), wakeup: wakeup.fileDescriptor) {
                    switch event.action {
                    case .add:
                        guard let port = USBSerialPort(udevProperties: event.device.properties) else { continue }
                        tracker.deviceAdded(port).forEach(emit)
                    case .remove:
                        guard let node = event.device.deviceNode else { continue }
                        tracker.deviceRemoved(deviceNode: node).forEach(emit)
                    }
                }
                if lastFailure != nil {
                    logger.notice("USB hot-plug: devices are followed again")
                    lastFailure = nil
                }
            } catch {
                if lastFailure != error.description {
                    logger.error("USB hot-plug: \(error); trying again every \(discovery.rescanInterval)")
                    lastFailure = error.description
                }
                needsFullScan = true
                waitForWakeup(upTo: discovery.rescanInterval)
            }
        }
    }

    /// Sleeps for `limit`, or until the service is told to stop.
    private func waitForWakeup(upTo limit: Duration) {
        var poll = PollSet()
        poll.add(wakeup.fileDescriptor, interest: .readable)
        _ = try? poll.wait(timeout: limit)
    }

    private func log(_ action: HotplugAction) {
        switch action {
        case .connect, .waiting:
            logger.info("USB hot-plug: \(action)")
        case .disconnect, .ambiguous, .contested, .ignoredSecondMatch:
            logger.warning("USB hot-plug: \(action)")
        }
    }
}
