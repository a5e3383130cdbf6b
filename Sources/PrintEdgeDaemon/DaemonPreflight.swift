#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeConfig
import PrintEdgeGPIO

/// Everything `printedged` refuses at start that its configuration and the files and
/// directories it names decide, checked without creating, binding, spawning or requesting
/// anything. `printedged --check-config` runs exactly this and a start runs it first, so
/// "valid" means the daemon starts — short of what only the resources themselves can say:
/// the database opening, the socket binding (its directory, when outside the state
/// directory, may be made later by systemd's `RuntimeDirectory=`), the GPIO lines being free.
///
/// Each refusal points at its key (`file:line:column:`), says what is wrong and what to do,
/// and carries the exit status a start gives (`DaemonError`). Files and directories are
/// checked with the effective user's rights: run it as the daemon's user. What the checks
/// resolve on the way (the simulator's path, the broker password, the GPIO chip, the
/// socket's group) is what the start then uses, so nothing is looked up twice.
public struct DaemonPreflight {
    struct Environment {
        var gpio: GPIOService.Environment
        /// Where `printedge-sim` is looked for when a virtual printer has no
        /// `simulator_path`: beside this executable, then on `PATH`.
        var simulatorDirectories: [String]

        static var system: Environment {
            var directories: [String] = []
            var buffer = [CChar](repeating: 0, count: 4096)
            let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            if count > 0 {
                let me = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                directories.append(DaemonPreflight.parent(of: me))
            }
            let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin"
            directories += path.split(separator: ":").map(String.init)
            return Environment(gpio: .system, simulatorDirectories: directories)
        }
    }

    /// Printer id → the `printedge-sim` its virtual printer runs.
    let simulators: [String: String]
    /// The content of `[mqtt] password_file`, without its line end.
    let fleetPassword: String?
    /// The `[gpio]` chip, every configured line found on it.
    let gpioChip: GPIOChip?
    /// The group of `socket_group`.
    let socketGroup: gid_t?
    /// The HTTP listener's address and token; `nil` with `listen = "off"`.
    let http: HTTPListenerPlan?

    /// Checks `configuration` on this machine, as `printedged` would start it.
    public init(configuration: DaemonConfiguration) throws(DaemonError) {
        try self.init(configuration: configuration, environment: .system)
    }

    init(configuration: DaemonConfiguration, environment: Environment) throws(DaemonError) {
        let source = configuration.source
        try Self.checkDirectory(configuration.stateDirectory, source, key: "daemon.state_directory", what: "the state directory")
        try Self.checkDirectory(configuration.spoolPath, source, key: "daemon.spool_directory", what: "the spool")
        if let commands = configuration.mqtt?.commands {
            try Self.checkDirectory(commands.transferPath(stateDirectory: configuration.stateDirectory), source,
                                    key: "mqtt.commands.transfer_directory", what: "the transfer directory")
        }
        socketGroup = try Self.checkControlSocket(configuration)
        simulators = try Self.checkVirtualPrinters(configuration, searching: environment.simulatorDirectories)
        fleetPassword = try configuration.mqtt.flatMap { settings throws(DaemonError) in try Self.checkFleetFiles(settings, source) }
        gpioChip = try configuration.gpio.map { settings throws(DaemonError) in
            try Self.checkGPIO(settings, source, environment: environment.gpio)
        }
        http = try Self.checkHTTP(configuration.http, source)
    }

    // MARK: - Directories and the control socket

    /// The directory must exist and be writable, or be creatable with its missing parents.
    private static func checkDirectory(_ path: String, _ source: ConfigurationSource, key: String, what: String) throws(DaemonError) {
        guard let problem = directoryProblem(path) else { return }
        throw .stateDirectory(source.error(
            .unusablePath, key: key,
            "key `\(key)`: \(what) \(path) cannot be used: \(problem); point it at a directory printedged's user may write in (a missing one is created, mode 0750)"))
    }

    /// Why the effective user could neither write in `path` nor create it (with its missing
    /// parents) as a directory; `nil` when it can.
    static func directoryProblem(_ path: String) -> String? {
        var candidate = path
        while true {
            var info = stat()
            if stat(candidate, &info) == 0 {
                let isTarget = candidate == path
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    return isTarget ? "it is \(kind(info.st_mode)), not a directory" : "\(candidate) is \(kind(info.st_mode)), not a directory"
                }
                guard faccessat(AT_FDCWD, candidate, W_OK | X_OK, AT_EACCESS) == 0 else {
                    return isTarget ? "printedged's user (uid \(geteuid())) may not write in it"
                        : "it does not exist, and printedged's user (uid \(geteuid())) may not create it in \(candidate)"
                }
                return nil
            }
            let code = errno
            guard code == ENOENT || code == ENOTDIR else { return "\(candidate): \(String(cString: strerror(code)))" }
            let up = parent(of: candidate)
            guard up != candidate else { return nil }
            candidate = up
        }
    }

    /// A file in the way of the socket, or a directory the socket cannot be made in; and the
    /// socket's group. A socket an earlier run left is replaced at start.
    private static func checkControlSocket(_ configuration: DaemonConfiguration) throws(DaemonError) -> gid_t? {
        let source = configuration.source
        let path = configuration.controlSocketPath
        let key = configuration.controlSocket == nil ? "daemon.state_directory" : "daemon.control_socket"
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFSOCK {
            throw .stateDirectory(source.error(
                .unusablePath, key: key,
                "the control socket's path \(path) is \(kind(info.st_mode)), not a socket; printedged replaces only a socket an earlier run left: remove it, or set `daemon.control_socket` elsewhere"))
        }
        let directory = parent(of: path)
        if stat(directory, &info) == 0, let problem = directoryProblem(directory) {
            throw .stateDirectory(source.error(
                .unusablePath, key: key,
                "the control socket \(path) cannot be made in \(directory): \(problem); set `daemon.control_socket` in a directory printedged's user may write in"))
        }
        guard let name = configuration.socketGroup else { return nil }
        guard let group = getgrnam(name) else {
            throw .configuration(source.error(
                .invalidValue, key: "daemon.socket_group",
                "key `daemon.socket_group`: group `\(name)` does not exist on this system; create it (`groupadd \(name)`) or remove the key"))
        }
        return group.pointee.gr_gid
    }

    // MARK: - Virtual printers

    /// For each virtual printer: nothing but a symlink where its simulator links its pty, and
    /// the `printedge-sim` it runs.
    private static func checkVirtualPrinters(_ configuration: DaemonConfiguration, searching directories: [String]) throws(DaemonError) -> [String: String] {
        let source = configuration.source
        var simulators: [String: String] = [:]
        for printer in configuration.printers {
            guard case .virtual(let settings) = printer.connection else { continue }
            let link = configuration.virtualPrinterLink(printer.id)
            var info = stat()
            if lstat(link, &info) == 0, info.st_mode & S_IFMT != S_IFLNK {
                throw .stateDirectory(source.error(
                    .unusablePath, key: "printer.virtual", printer: printer.id,
                    "\(link), where the simulator of printer `\(printer.id)` links its pty, is \(kind(info.st_mode)), not a symlink; remove it"))
            }
            if let path = settings.simulatorPath {
                if let problem = executableProblem(path) {
                    throw .configuration(source.error(
                        .unusablePath, key: "printer.simulator_path", printer: printer.id,
                        "key `printer.simulator_path`: \(path) \(problem); build it (`swift build --product printedge-sim`) or correct the path"))
                }
                simulators[printer.id] = path
            } else if let found = directories.lazy.map({ $0 + "/printedge-sim" }).first(where: { executableProblem($0) == nil }) {
                simulators[printer.id] = found
            } else {
                throw .unavailable(source.error(
                    .unusablePath, key: "printer.virtual", printer: printer.id,
                    "printer `\(printer.id)` is virtual, and no printedge-sim is beside printedged or on PATH; install it (`swift build --product printedge-sim` in a checkout) or set `simulator_path`"))
            }
        }
        return simulators
    }

    /// Why `path` is not a file the effective user may run; `nil` when it is.
    static func executableProblem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot be run (\(String(cString: strerror(errno))))" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "is \(kind(info.st_mode)), not a program" }
        guard faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0 else { return "is not executable by printedged's user (uid \(geteuid()))" }
        return nil
    }

    // MARK: - The fleet link's files

    /// The password, and every TLS file in PEM; returns the password.
    private static func checkFleetFiles(_ settings: MQTTSettings, _ source: ConfigurationSource) throws(DaemonError) -> String? {
        if let path = settings.tlsCAFile {
            try checkPEM(path, holds: .certificates, source, key: "mqtt.tls_ca_file",
                         meaning: "the PEM certificate(s) of the CA that signed the broker's certificate")
        }
        if let path = settings.tlsCertificateFile {
            try checkPEM(path, holds: .certificates, source, key: "mqtt.tls_cert_file", meaning: "this daemon's client certificate, in PEM")
        }
        if let path = settings.tlsKeyFile {
            try checkPEM(path, holds: .privateKey, source, key: "mqtt.tls_key_file",
                         meaning: "the client certificate's private key, in PEM, unencrypted")
        }
        if let path = settings.commands.downloadCAFile {
            try checkPEM(path, holds: .certificates, source, key: "mqtt.commands.download_ca_file",
                         meaning: "the PEM certificate(s) of the CA that signed the download servers' certificates")
        }
        do {
            return try settings.password(source: source)
        } catch {
            throw .configuration(error)
        }
    }

    private static func checkPEM(_ path: String, holds content: PEMFile.Content, _ source: ConfigurationSource, key: String,
                                 meaning: String) throws(DaemonError) {
        do {
            try PEMFile.check(path, holds: content)
        } catch {
            throw .configuration(source.error(.unusablePath, key: key, "key `\(key)`: \(path) \(error); it must hold \(meaning)"))
        }
    }

    // MARK: - Helpers

    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// "a file", "a directory"…, for messages.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symlink"
        case S_IFSOCK: "a socket"
        case S_IFIFO: "a named pipe"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "something"
        }
    }
}
