import PrintEdgeConfig
import PrintEdgeGPIO
import PrintEdgeStore

/// Why the daemon cannot start, with the exit status systemd is told (sysexits(3)).
///
/// What the configuration and the files it names decide is found by `DaemonPreflight`, the
/// same for `printedged --check-config` and for a start, and points at its key
/// (`file:line:column:`); the rest needs the resources themselves (the database, the
/// socket, the GPIO lines).
public enum DaemonError: Error, CustomStringConvertible {
    /// The configuration, or a file it names (a TLS certificate, a password file,
    /// `simulator_path`), cannot be used: 78.
    case configuration(ConfigurationError)
    /// A directory the daemon keeps its state in (the state directory, the spool, the
    /// transfers, the control socket's) cannot be created or written, or a file is in the way
    /// of what the daemon makes there: 74, as when the database cannot be opened.
    case stateDirectory(ConfigurationError)
    /// Something the configuration relies on is not on this machine (`printedge-sim`, a GPIO
    /// chip): 69.
    case unavailable(ConfigurationError)
    /// Another daemon holds the state directory's lock (`StateDirectoryLock`): 75.
    case alreadyRunning(pid: Int32?, stateDirectory: String)
    case storage(StoreError)
    case controlSocket(String)
    case simulator(String)
    /// A `[gpio]` line (`key` says which table) cannot be had.
    case gpio(key: String, GPIOError)
    case usb(String)
    /// `[mqtt]` cannot be turned into a fleet link.
    case fleetLink(FleetLinkError)
    /// `[http] listen` cannot be bound: 75 for a port in use (it may be free later), 78 for
    /// an address or port this host will never give, 71 otherwise.
    case httpListener(address: String, reason: String, exitStatus: Int32)

    /// 78 (EX_CONFIG) keeps systemd from restarting into the same mistake
    /// (`RestartPreventExitStatus`). A duplicate daemon is 75 (EX_TEMPFAIL: it may start
    /// once the other has stopped), which the unit lists there too: the other daemon does not
    /// stop because this one is retried, so a restart every `RestartSec` would only fill the
    /// journal until systemd's start limit gave up.
    public var exitStatus: Int32 {
        switch self {
        case .configuration: 78
        case .alreadyRunning: 75
        case .stateDirectory, .storage: 74
        case .unavailable: 69
        case .controlSocket: 71
        case .simulator: 69
        case .gpio(_, let error): Self.exitStatus(of: error)
        case .usb: 69
        case .fleetLink: 78
        case .httpListener(_, _, let status): status
        }
    }

    /// Names that fit no chip or line are configuration (78); a missing or busy chip may
    /// come back (69).
    static func exitStatus(of error: GPIOError) -> Int32 {
        switch error {
        case .chipNotFound, .lineNotFound, .lineOutOfRange, .notAChip, .invalidRequest, .rejectedByKernel, .ambiguousLineName: 78
        default: 69
        }
    }

    public var description: String {
        switch self {
        case .configuration(let error), .stateDirectory(let error), .unavailable(let error): error.description
        case .alreadyRunning(let pid, let directory):
            "already running (pid \(pid.map(String.init) ?? "not yet written")), state in \(directory): another printedged holds \(StateDirectoryLock.path(in: directory)); stop it first, or give this one its own `state_directory`"
        case .storage(let error): "the database cannot be used: \(error)"
        case .controlSocket(let detail): "the control socket cannot be created: \(detail)"
        case .simulator(let detail): detail
        case .gpio(let key, let error): "\(key): \(error)"
        case .usb(let detail): detail
        case .fleetLink(let error): error.description
        case .httpListener(let address, let reason, _): "the HTTP listener cannot listen on \(address) (`http.listen`): \(reason)"
        }
    }
}
