#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeGPIO
import PrintEdgePOSIX
import ServiceLifecycle
import Synchronization

/// The `[gpio]` lines at work in the daemon: power relays, filament runout sensors,
/// emergency stops, door switches and status LEDs, each serving the printers the
/// configuration gives it.
///
/// The lines are requested when the daemon is built, so a wrong chip or line name stops it
/// at start with the reason. From then on one thread of this service owns them
/// (`GPIOFeatures`): it polls the inputs' request descriptors together with a wake-up
/// descriptor, decides through the policies of PrintEdgeGPIO, and drives the outputs.
/// Everything else reaches it through commands (`post`), taken in order: printers report
/// what they do and ask for power (`GPIOPrinterLink`), the control socket asks for
/// `power.*`. What an actor must know at once — may a job start, may it resume — is read
/// from a snapshot the thread keeps current (`interlocks(of:)`).
final class GPIOService: Service, Sendable {
    /// Where the chip comes from (`DaemonPreflight` opens it), and how long a printer may
    /// take to appear after power-on: the system's by default; tests hand in a recording
    /// chip and a short timeout.
    struct Environment: Sendable {
        /// Opens a chip's device node (`LinuxGPIOChipDevice`, or a test's double).
        var openChip: @Sendable (String) throws(GPIOError) -> any GPIOChipDevice
        /// Where `gpiochip*` nodes are listed when the chip is named by label.
        var chipDirectory: String
        /// How long a printer's device may take to appear after its relay closed.
        var printerAppearTimeout: Duration

        static let system = Environment(
            openChip: { path throws(GPIOError) in try LinuxGPIOChipDevice(path: path) }, chipDirectory: "/dev",
            printerAppearTimeout: .seconds(60))
    }

    enum PowerRequest: Sendable {
        case on
        case off
        case status
    }

    enum Command: Sendable {
        case activity(printerID: String, PrinterActivity)
        /// A job is about to start: `reply` once the printer is powered and connected.
        case jobWillStart(printerID: String, reply: @Sendable (Result<Void, ControlError>) -> Void)
        case jobEnded(printerID: String)
        /// `power.on`, `power.off`, `power.status`, for one printer's relay or every relay.
        case power(PowerRequest, printerID: String?, reply: @Sendable (Result<[PowerRelayStatus], ControlError>) -> Void)
    }

    private struct Inbox {
        var commands: [Command] = []
        /// Set when the thread has stopped: commands are answered at once, as refused.
        var closed = false
    }

    private let features: GPIOFeatures
    private let inbox = Mutex(Inbox())
    private let snapshot: Mutex<[String: GPIOInterlocks]>
    private let wakeup: WakeupPipe
    private let stopping = Atomic<Bool>(false)
    private let logger: Logger

    /// Requests every configured line of `chip` (opened, its lines found, by
    /// `DaemonPreflight`), reading the inputs once.
    init(settings: GPIOSettings, chip: GPIOChip, printers: [PrinterConfiguration], environment: Environment, logger: Logger) throws(DaemonError) {
        features = try GPIOFeatures(
            settings: settings, chip: chip, printers: printers, printerAppearTimeout: environment.printerAppearTimeout,
            logger: logger)
        snapshot = Mutex(features.interlocks())
        do {
            wakeup = try WakeupPipe()
        } catch {
            throw .gpio(key: "gpio", .system(operation: "eventfd", path: "the GPIO service's wake-up descriptor", errno: error.errno))
        }
        self.logger = logger
        logger.info("GPIO: \(chip.title): \(features.summary)")
    }

    /// The link a printer's actor talks through.
    func link(for printerID: String) -> GPIOPrinterLink {
        GPIOPrinterLink(printerID: printerID, service: self)
    }

    /// Hands the printers to the lines that act on them (pause, emergency stop). Called once,
    /// before `run`.
    func attach(_ printers: [Printer]) {
        features.attach(printers)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await DedicatedThread.run { [self] in serve() }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wakeup.wake()
        }
    }

    func post(_ command: Command) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.commands.append(command)
            return true
        }
        if accepted { wakeup.wake() } else { Self.refuse(command) }
    }

    /// `power.on`, `power.off` or `power.status`, answered by the thread that owns the relays.
    func power(_ request: PowerRequest, printerID: String?) async throws(ControlError) -> [PowerRelayStatus] {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[PowerRelayStatus], ControlError>, Never>) in
            post(.power(request, printerID: printerID, reply: { continuation.resume(returning: $0) }))
        }
        return try outcome.get()
    }

    func interlocks(of printerID: String) -> GPIOInterlocks {
        snapshot.withLock { $0[printerID] ?? GPIOInterlocks() }
    }

    // MARK: - The thread

    private func serve() {
        var poll = PollSet()
        var inputSlots: [(slot: Int, input: Int)] = []
        var watched: [Int]?
        features.start(now: .now)
        while !stopping.load(ordering: .relaxed) {
            for command in inbox.withLock({ inbox in defer { inbox.commands.removeAll() }; return inbox.commands }) {
                features.perform(command, now: .now)
            }
            let now = ContinuousClock.now
            features.tick(now: now)
            publishInterlocks()

            let live = features.liveInputs
            if live != watched {
                // Rebuilt only when an input fails: a dead descriptor would wake every turn.
                watched = live
                poll.removeAll()
                poll.add(wakeup.fileDescriptor, interest: .readable)
                inputSlots = live.map { (poll.add(features.inputDescriptor(at: $0), interest: .readable), $0) }
            }
            do {
                _ = try poll.wait(timeout: features.nextDeadline.map { max(.zero, now.duration(to: $0)) })
            } catch {
                logger.critical("GPIO: waiting for line events failed (\(error)); the emergency stop, runout and door inputs are no longer watched: restart printedged")
                break
            }
            if poll.readiness(ofSlot: 0).contains(.readable) { wakeup.drain() }
            for (slot, input) in inputSlots where !poll.readiness(ofSlot: slot).isDisjoint(with: [.readable, .hangup, .error]) {
                features.inputReady(at: input, now: .now)
            }
        }
        let leftover = inbox.withLock { inbox in
            inbox.closed = true
            defer { inbox.commands.removeAll() }
            return inbox.commands
        }
        leftover.forEach(Self.refuse)
        features.stop()
    }

    private func publishInterlocks() {
        let current = features.interlocks()
        snapshot.withLock { if $0 != current { $0 = current } }
    }

    /// Answers a command the stopped thread will never take.
    private static func refuse(_ command: Command) {
        let error = ControlError(code: .refused, message: "printedged is stopping: the GPIO lines are no longer driven")
        switch command {
        case .jobWillStart(_, let reply): reply(.failure(error))
        case .power(_, _, let reply): reply(.failure(error))
        case .activity, .jobEnded: break
        }
    }
}

/// What the GPIO lines serving a printer say about starting and resuming a job.
struct GPIOInterlocks: Sendable, Equatable {
    var startRefusal: String?
    var resumeRefusal: String?
}
