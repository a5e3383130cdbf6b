#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeAgent
import PrintEdgeConfig
import PrintEdgeCore
import PrintEdgeGPIO
import PrintEdgeStore
import ServiceLifecycle

/// Builds the daemon from its configuration: checks it (`DaemonPreflight`, as
/// `--check-config` does), opens the store, marks jobs a crash left behind as interrupted,
/// creates one actor per printer and the control socket, and returns the services in start
/// order (stopped in reverse: intake first, storage last).
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    /// Held while the daemon lives: no second one works on its state directory.
    let lock: StateDirectoryLock
    let store: Store
    let printers: [Printer]
    let services: [any Service]
    public let socketPath: String
    /// `/metrics` and `/healthz`; `nil` with `[http] listen = "off"`.
    let httpListener: HTTPListener?

    public init(configuration: DaemonConfiguration, environment: [String: String], logger: Logger) throws(DaemonError) {
        try self.init(configuration: configuration, environment: environment, logger: logger, discovery: .system, gpioEnvironment: .system)
    }

    /// `init` on a thread of its own: it opens the database, GPIO chips and serial devices
    /// and waits for the simulators' links, all blocking, and Swift's cooperative pool has
    /// only one thread per core.
    public static func build(configuration: DaemonConfiguration, environment: [String: String], logger: Logger) async throws(DaemonError) -> Daemon {
        try await build(configuration: configuration, environment: environment, logger: logger, discovery: .system, gpioEnvironment: .system)
    }

    static func build(configuration: DaemonConfiguration, environment: [String: String], logger: Logger,
                      discovery: HotplugService.Discovery, gpioEnvironment: GPIOService.Environment) async throws(DaemonError) -> Daemon {
        try await DedicatedThread.run { () -> Result<Daemon, DaemonError> in
            Result { () throws(DaemonError) in
                try Daemon(configuration: configuration, environment: environment, logger: logger, discovery: discovery, gpioEnvironment: gpioEnvironment)
            }
        }.get()
    }

    /// `discovery` and `gpioEnvironment` say where USB devices and GPIO chips are found: the
    /// system's, or a test's fake sysfs tree and recording chip.
    init(configuration: DaemonConfiguration, environment: [String: String], logger: Logger,
         discovery: HotplugService.Discovery, gpioEnvironment: GPIOService.Environment) throws(DaemonError) {
        self.configuration = configuration
        var steps = StartupSteps(logger: logger)
        var preflightEnvironment = DaemonPreflight.Environment.system
        preflightEnvironment.gpio = gpioEnvironment
        let preflight = try DaemonPreflight(configuration: configuration, environment: preflightEnvironment)
        steps.finished("configuration checked (files, directories, ids)")
        // Before anything in the state directory is touched: the store, the socket, the links.
        do {
            try Store.createDirectory(configuration.stateDirectory)
        } catch {
            throw .storage(error)
        }
        lock = try Self.lockStateDirectory(of: configuration)
        steps.finished("state directory locked")
        let store: Store
        do {
            store = try Store(directory: configuration.stateDirectory, feedsFleet: configuration.mqtt != nil)
            if configuration.mqtt == nil {
                try store.forgetFleetTelemetryCursors()
            }
            if let hardLimit = configuration.retention.databaseHardLimitBytes {
                try store.setSizeLimit(maxBytes: Int64(hardLimit))
            }
            for job in try store.markUnfinishedJobsInterrupted(atMS: WallClock.nowMS()) {
                logger.warning("job \(job.id ?? 0) was printing when the daemon stopped: now interrupted at line \(job.lastAckedSourceLine); `printedge jobs recover \(job.id ?? 0)` restarts it from that layer")
            }
        } catch {
            throw .storage(error)
        }
        self.store = store
        steps.finished("database opened")
        let telemetrySettings = configuration.telemetry
        // Only with a listener: without one, nothing is counted.
        let metrics = preflight.http.map { _ in DaemonMetrics(configuration: configuration) }
        let recorder = TelemetryRecorder(store: store, policy: .init(batchMaxRows: telemetrySettings.batchMaxRows,
                                                                     batchMaxAge: telemetrySettings.batchMaxAge,
                                                                     fleetMessages: configuration.mqtt.map {
                                                                         FleetTelemetryLimits(maxSamples: $0.telemetryMaxSamples, maxAge: $0.telemetryMaxAge)
                                                                     }),
                                         writeObserver: metrics?.telemetryWriteObserver)
        var setups: [PrinterSetup] = []
        var simulators: [(printerID: String, link: String, launch: PrinterSetup.SimulatorLaunch)] = []
        for printer in configuration.printers {
            let setup = Self.setup(for: printer, configuration: configuration, simulator: preflight.simulators[printer.id])
            if let launch = setup.simulator { simulators.append((printer.id, setup.portPath, launch)) }
            do {
                try store.upsertPrinter(PrinterRecord(id: printer.id, name: setup.name, port: setup.portPath,
                                                      profile: printer.profile.name, state: PrinterState.offline.rawValue,
                                                      updatedAtMS: WallClock.nowMS()))
            } catch {
                throw .storage(error)
            }
            setups.append(setup)
        }
        steps.finished("\(setups.count) printer(s) recorded")
        var gpio: GPIOService?
        if let settings = configuration.gpio, let chip = preflight.gpioChip {
            gpio = try GPIOService(settings: settings, chip: chip, printers: configuration.printers, environment: gpioEnvironment, logger: logger)
            steps.finished("GPIO lines requested")
        }
        let statusBoard = PrinterStatusBoard(printerIDs: setups.map(\.id))
        let boards = VirtualBoards()
        let printers = setups.map { Printer(setup: $0, store: store, telemetry: recorder, logger: logger, hardware: gpio?.link(for: $0.id),
                                            virtualBoards: boards, publishesFleetStatus: configuration.mqtt != nil, statusBoard: statusBoard,
                                            metrics: metrics?.printers[$0.id]) }
        self.printers = printers
        gpio?.attach(printers)
        let hotplug = try HotplugService(printers: printers, discovery: discovery, logger: logger)
        if hotplug != nil { steps.finished("USB devices listed") }
        let fleetCommands = configuration.mqtt.map {
            FleetCommands(printers: printers, store: store, spoolDirectory: configuration.spoolPath, settings: $0.commands,
                          stateDirectory: configuration.stateDirectory, logger: logger)
        }
        var fleetLink: FleetLink?
        if let settings = configuration.mqtt {
            do {
                fleetLink = try FleetLink(settings: settings, password: preflight.fleetPassword, store: store, printerIDs: printers.map(\.setup.id), commands: fleetCommands,
                                          statusSnapshot: { for printer in printers { await printer.recordStatusSnapshot() } },
                                          logger: logger)
            } catch {
                throw .fleetLink(error)
            }
            steps.finished("fleet link prepared")
        }
        let intake = JobIntake(spoolDirectory: configuration.spoolPath, store: store, logger: logger)
        let leftovers = intake.removeLeftovers()
        if !leftovers.isEmpty {
            logger.notice("removed \(leftovers.count) half-copied job file(s) an earlier run left in \(configuration.spoolPath)")
        }
        let health = DaemonHealth(printers: printers, store: store, stateDirectory: configuration.stateDirectory, telemetry: recorder,
                                  fleetLink: fleetLink?.monitor, gpio: gpio)
        var handler = ControlHandler(printers: Dictionary(uniqueKeysWithValues: printers.map { ($0.setup.id, $0) }),
                                     order: printers.map(\.setup.id), store: store, telemetry: recorder,
                                     intake: intake, gpio: gpio,
                                     fleetCommands: fleetCommands, fleetLink: fleetLink?.monitor, health: health)
        handler.boards = boards
        socketPath = configuration.controlSocketPath
        let control: ControlServer
        do {
            control = try ControlServer(path: socketPath, group: preflight.socketGroup, handler: handler, logger: logger)
        } catch {
            throw .controlSocket("\(error)")
        }
        steps.finished("control socket listening at \(socketPath)")
        if let plan = preflight.http, let metrics {
            let sources = DaemonMetrics.Sources(printers: printers, store: store, telemetry: recorder, fleetLink: fleetLink?.monitor,
                                                stateDirectory: configuration.stateDirectory)
            httpListener = try HTTPListener(plan: plan, metrics: { await metrics.exposition(from: sources) }, health: { await health.verdict() },
                                            logger: logger)
            steps.finished("HTTP address \(HTTPListener.text(plan.host, plan.port)) free")
        } else {
            httpListener = nil
        }
        let retention = RetentionLimits(maxTelemetryRows: configuration.retention.maxTelemetryRows,
                                        maxAge: .seconds(configuration.retention.maxTelemetryAgeDays * 86_400),
                                        maxDatabaseBytes: Int64(configuration.retention.maxDatabaseBytes))
        let virtualPrinters = try VirtualPrinters(simulators, logger: logger)
        boards.attach(virtualPrinters)
        if !simulators.isEmpty { steps.finished("\(simulators.count) virtual printer(s) started") }
        // Before the printers, so they stop after them: a printer's last moments still have
        // its emergency stop, and nothing waits on devices nobody follows.
        var hardware: [any Service] = []
        if let hotplug { hardware.append(hotplug) }
        if let gpio { hardware.append(gpio) }
        // Before the printers too, so it stops after them and their last states go out.
        let fleet: [any Service] = fleetLink.map { [$0] } ?? []
        // After the printers: it stops before them, so no G-code or download outlives them.
        let commandService: [any Service] = fleetCommands.map { [$0] } ?? []
        services = [
            TelemetryService(recorder: recorder, store: store, limits: retention, logger: logger),
            virtualPrinters,
        ] + hardware + fleet + [
            PrinterFleet(printers: printers),
        ] + commandService + [
            control,
        ] + (httpListener.map { [$0] } ?? []) + [
            SystemdNotifier(environment: environment, statusBoard: statusBoard, logger: logger) { await health.verdict() },
        ]
    }

    /// The pid of the daemon working on `stateDirectory`, if one does (`StateDirectoryLock`).
    public static func runningDaemon(stateDirectory: String) -> Int32? {
        StateDirectoryLock.holder(of: stateDirectory)
    }

    /// The state directory's lock, or the refusal a start gives: 75 beside another daemon.
    static func lockStateDirectory(of configuration: DaemonConfiguration) throws(DaemonError) -> StateDirectoryLock {
        do {
            return try StateDirectoryLock(stateDirectory: configuration.stateDirectory)
        } catch {
            switch error {
            case .held(let pid):
                throw .alreadyRunning(pid: pid, stateDirectory: configuration.stateDirectory)
            case .cannotOpen(let path, let reason):
                throw .stateDirectory(configuration.source.error(
                    .unusablePath, key: "daemon.state_directory",
                    "the state directory's lock \(path) cannot be opened (\(reason)); printedged's user must own the state directory"))
            case .cannotLock(let path, let reason):
                throw .stateDirectory(configuration.source.error(
                    .unusablePath, key: "daemon.state_directory",
                    "the state directory's lock \(path) cannot be taken (\(reason)); the state directory must be on a local filesystem"))
            }
        }
    }

    /// Runs until SIGTERM or SIGINT, then stops gracefully: the printers stop between two
    /// lines, a job being printed becomes `interrupted` (recoverable), telemetry is flushed.
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// `simulator`: for a virtual printer, the `printedge-sim` the preflight found.
    private static func setup(for printer: PrinterConfiguration, configuration: DaemonConfiguration, simulator executable: String?) -> PrinterSetup {
        let profile = printer.profile
        var protocolConfiguration = HostProtocol.Configuration()
        protocolConfiguration.flow = profile.flow
        protocolConfiguration.rxBufferBytes = profile.rxBufferBytes
        protocolConfiguration.commandSlots = profile.commandSlots
        let volume = profile.buildVolume
        let limits = MachineLimits(xMM: volume.xMinMM...volume.xMaxMM, yMM: volume.yMinMM...volume.yMaxMM,
                                   zMM: 0...volume.zMaxMM, maxHotendCelsius: profile.maxHotendCelsius,
                                   maxBedCelsius: profile.maxBedCelsius)
        var portPath = ""
        var simulator: PrinterSetup.SimulatorLaunch?
        switch printer.connection {
        case .port(let path):
            portPath = path
        case .match:
            // No fixed node: `HotplugService` hands the printer its device whenever it appears.
            portPath = ""
        case .virtual(let settings):
            guard let executable else { preconditionFailure("DaemonPreflight finds the simulator of every virtual printer") }
            portPath = configuration.virtualPrinterLink(printer.id)
            var arguments = ["--link", portPath, "--baud", String(profile.baud),
                             "--rx-buffer", String(profile.rxBufferBytes), "--bufsize", String(profile.commandSlots),
                             "--exit-with-parent"]
            if settings.speedup != 1 { arguments += ["--speedup", String(settings.speedup)] }
            simulator = .init(executable: executable, arguments: arguments + settings.extraArguments)
        }
        let telemetry = configuration.telemetry
        return PrinterSetup(
            id: printer.id, name: printer.name ?? printer.id, portPath: portPath, match: printer.portMatch, baudRate: profile.baud,
            protocolConfiguration: protocolConfiguration, limits: limits, maxFramedBytes: profile.maxLineBytes,
            startScript: profile.scripts.start, pauseScript: profile.scripts.pause, resumeScript: profile.scripts.resume,
            cancelScript: profile.scripts.cancel, gcodeAllowedWhilePrinting: Set(configuration.gcodeAllowedWhilePrinting),
            temperatureInterval: .seconds(telemetry.temperatureReportIntervalSeconds),
            serialLogPath: configuration.serialLogPath(of: printer),
            serialLogMaxBytes: printer.serialLogMaxBytes,
            sampleIntervalPrinting: telemetry.sampleIntervalPrinting, sampleIntervalIdle: telemetry.sampleIntervalIdle,
            simulator: simulator, profileName: profile.name, calibration: profile.calibration)
    }
}

/// Runs every printer's actor; on shutdown each closes its port between two lines.
struct PrinterFleet: Service {
    let printers: [Printer]

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for printer in printers {
                    group.addTask { await printer.run() }
                }
            }
        } onGracefulShutdown: {
            for printer in printers { printer.stop() }
        }
    }
}
