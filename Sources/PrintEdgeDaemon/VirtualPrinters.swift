#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle
import Synchronization

/// The `printedge-sim` processes behind virtual printers: started before the printers
/// connect, stopped after they have let go.
///
/// Both ends block (a wait for the links, a wait for the processes to exit), so both run on
/// a thread that is not the cooperative pool's: `init` on the one `Daemon.build` gives it,
/// the stops on threads of their own.
final class VirtualPrinters: Service, Sendable {
    struct Launched: Sendable {
        var printerID: String
        var pid: pid_t
        /// Set once the process was found exited and reaped: its pid may belong to another.
        var exitStatus: Int32?

        /// The wait status once the process has exited (reaped at the first look), `nil`
        /// while it runs. Never blocks.
        mutating func reapIfExited() -> Int32? {
            if exitStatus == nil {
                var status: Int32 = 0
                guard waitpid(pid, &status, WNOHANG) != 0 else { return nil }
                exitStatus = status
            }
            return exitStatus
        }
    }

    /// The simulators running now: `resetBoard` replaces one that died.
    var launched: [Launched] { running.withLock { $0 } }
    private let running: Mutex<[Launched]>
    private let launches: [String: (link: String, launch: PrinterSetup.SimulatorLaunch)]
    private let logger: Logger

    /// How long a simulator may take to create its link: a hang guard, far beyond the few
    /// milliseconds it takes.
    private static let linkLimit: Duration = .seconds(5)

    /// Starts every simulator, then waits (up to 5 s for each) until every link exists.
    init(_ launches: [(printerID: String, link: String, launch: PrinterSetup.SimulatorLaunch)], logger: Logger) throws(DaemonError) {
        self.logger = logger
        self.launches = Dictionary(launches.map { ($0.printerID, ($0.link, $0.launch)) }, uniquingKeysWith: { first, _ in first })
        var started: [Launched] = []
        for entry in launches {
            // Removed so that the wait below sees the new link. Under the state directory's
            // lock (`StateDirectoryLock`) a link here belongs to no live daemon: an earlier run's, or
            // its simulator's that has not yet seen its parent die, which then leaves the new
            // link alone (printedge-sim removes its link only while it points at its own pty).
            unlink(entry.link)
            do {
                started.append(Launched(printerID: entry.printerID, pid: try Self.spawn(entry.launch)))
            } catch {
                for process in started { Self.stop(process.pid) }
                throw error
            }
        }
        for (index, entry) in launches.enumerated() {
            let waitStarted = ContinuousClock.now
            let problem: String
            switch Self.waitForLink(entry.link, of: started[index].pid) {
            case .created:
                logger.debug("start-up: printedge-sim for printer \(entry.printerID) had its link after \(StartupSteps.milliseconds(ContinuousClock.now - waitStarted)) ms")
                continue
            case .exited(let status):
                started.remove(at: index)
                problem = "exited (wait status \(status)) before creating \(entry.link)"
            case .timedOut:
                problem = "did not create \(entry.link) within \(Self.linkLimit)"
            }
            for process in started { Self.stop(process.pid) }
            throw .simulator("printedge-sim for printer \(entry.printerID) \(problem) (\(entry.launch.executable)); its own message, if any, is in the daemon's log")
        }
        running = Mutex(started)
    }

    /// Why `printerID`'s board cannot be opened: its simulator has exited (killed, crashed).
    /// Its link goes then, as udev removes an unplugged board's: left dangling, it names a pty
    /// number the kernel gives the next program that asks for one, and the printer would open
    /// that program's terminal and write G-code into it. `nil` while the simulator runs, and
    /// for a printer it does not run.
    ///
    /// Never waits: printers ask from the cooperative pool, and a `resetBoard` holds the lock
    /// while a restarted simulator creates its link. Then the answer is `nil`: that reset
    /// removed the old link first, so there is nothing stale to open.
    func exitedSimulator(of printerID: String) -> String? {
        guard let link = launches[printerID]?.link else { return nil }
        return running.withLockIfAvailable { running -> String? in
            guard let index = running.firstIndex(where: { $0.printerID == printerID }) else {
                return "its simulator (printedge-sim) is not running; `printedge reset --printer \(printerID)` starts it again"
            }
            let alreadyReaped = running[index].exitStatus != nil
            guard let status = running[index].reapIfExited() else { return nil }
            if !alreadyReaped {
                unlink(link)
                logger.warning("the virtual printer's simulator exited (wait status \(status)); its link \(link) is removed",
                               metadata: ["printer": "\(printerID)"])
            }
            return "its simulator (printedge-sim) exited (wait status \(status)); `printedge reset --printer \(printerID)` starts it again"
        } ?? nil
    }

    /// `printedge reset` of a virtual printer: SIGUSR1, which printedge-sim takes as its
    /// board's reset button (a halted model lives again and prints `start`); a simulator that
    /// has exited (killed, crashed) is started again, its link awaited. `nil` when done, else
    /// what went wrong. Blocks for the link: call it on a thread of its own.
    func resetBoard(printerID: String) -> String? {
        guard let entry = launches[printerID] else { return "printer \(printerID) is not a virtual printer" }
        return running.withLock { running -> String? in
            guard let index = running.firstIndex(where: { $0.printerID == printerID }) else {
                return "its simulator is not running"
            }
            guard let status = running[index].reapIfExited() else {
                kill(running[index].pid, SIGUSR1)
                return nil
            }
            logger.notice("the virtual printer's simulator had exited (wait status \(status)); starting it again", metadata: ["printer": "\(printerID)"])
            unlink(entry.link)
            let restarted: pid_t
            do throws(DaemonError) {
                restarted = try Self.spawn(entry.launch)
            } catch {
                running.remove(at: index)
                return error.description
            }
            running[index] = Launched(printerID: printerID, pid: restarted)
            switch Self.waitForLink(entry.link, of: restarted) {
            case .created:
                return nil
            case .exited(let status):
                running.remove(at: index)
                return "printedge-sim exited (wait status \(status)) before creating \(entry.link); its message is in the daemon's log"
            case .timedOut:
                return "printedge-sim did not create \(entry.link) within \(Self.linkLimit)"
            }
        }
    }

    func run() async throws {
        try? await gracefulShutdown()
        await withTaskGroup(of: Void.self) { group in
            for process in launched where process.exitStatus == nil {
                logger.info("stopping the virtual printer", metadata: ["printer": "\(process.printerID)"])
                group.addTask { await DedicatedThread.run { Self.stop(process.pid) } }
            }
        }
    }

    private static func spawn(_ launch: PrinterSetup.SimulatorLaunch) throws(DaemonError) -> pid_t {
        var pid = pid_t()
        let argv = ([launch.executable] + launch.arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        InheritedDescriptors.closeAll(in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The daemon's blocked signals (ServiceLifecycle's) must not leak into the child.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        // A process group of its own: Ctrl-C at the daemon's terminal (or `timeout`) reaches
        // the daemon only, which then stops its printers before their simulators.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let result = posix_spawn(&pid, launch.executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw .simulator("cannot start \(launch.executable): \(String(cString: strerror(result))); build it (`swift build --product printedge-sim`) or set `simulator_path`")
        }
        return pid
    }

    private enum LinkWait {
        case created
        /// Reaped already.
        case exited(status: Int32)
        case timedOut
    }

    /// Looks every 20 ms: the thread is the one `Daemon.build` runs on, not the pool's. A
    /// simulator that exits first (on a bad argument, say) ends the wait at once.
    private static func waitForLink(_ link: String, of pid: pid_t) -> LinkWait {
        let deadline = ContinuousClock.now + linkLimit
        while access(link, F_OK) != 0 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return .exited(status: status) }
            guard ContinuousClock.now < deadline else { return .timedOut }
            usleep(20_000)
        }
        return .created
    }

    /// SIGTERM, then SIGKILL if it is still running 5 s later; returns once reaped. Blocks:
    /// call it on a thread of its own.
    private static func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}
