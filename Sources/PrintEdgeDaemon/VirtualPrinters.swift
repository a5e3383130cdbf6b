#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle

/// The `printedge-sim` processes behind virtual printers: started before the printers
/// connect, stopped after they have let go.
final class VirtualPrinters: Service, Sendable {
    struct Launched: Sendable {
        var printerID: String
        var pid: pid_t
    }

    let launched: [Launched]
    private let logger: Logger

    /// Starts every simulator and waits (up to 5 s each) for its link to appear.
    init(_ launches: [(printerID: String, link: String, launch: PrinterSetup.SimulatorLaunch)], logger: Logger) throws(DaemonError) {
        self.logger = logger
        var started: [Launched] = []
        for entry in launches {
            // Removed so that the wait below sees the new link. Under the state directory's
            // lock (`StateDirectoryLock`) a link here belongs to no live daemon: an earlier run's, or
            // its simulator's that has not yet seen its parent die, which then leaves the new
            // link alone (printedge-sim removes its link only while it points at its own pty).
            unlink(entry.link)
            let pid: pid_t
            do {
                pid = try Self.spawn(entry.launch)
            } catch {
                for process in started { Self.terminate(process.pid) }
                throw error
            }
            started.append(Launched(printerID: entry.printerID, pid: pid))
            var waited = 0
            while access(entry.link, F_OK) != 0 && waited < 50 {
                usleep(100_000)
                waited += 1
            }
            if access(entry.link, F_OK) != 0 {
                for process in started { Self.terminate(process.pid) }
                throw .simulator("printedge-sim for printer \(entry.printerID) did not create \(entry.link) within 5 s (\(entry.launch.executable))")
            }
        }
        launched = started
    }

    func run() async throws {
        try? await gracefulShutdown()
        for process in launched {
            logger.info("stopping the virtual printer", metadata: ["printer": "\(process.printerID)"])
            Self.terminate(process.pid)
        }
    }

    private static func spawn(_ launch: PrinterSetup.SimulatorLaunch) throws(DaemonError) -> pid_t {
        var pid = pid_t()
        let argv = ([launch.executable] + launch.arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
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
        let result = posix_spawn(&pid, launch.executable, nil, &attributes, argv, environ)
        guard result == 0 else {
            throw .simulator("cannot start \(launch.executable): \(String(cString: strerror(result))); build it (`swift build --product printedge-sim`) or set `simulator_path`")
        }
        return pid
    }

    private static func terminate(_ pid: pid_t) {
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
