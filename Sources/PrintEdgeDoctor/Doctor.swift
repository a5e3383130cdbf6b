import PrintEdgeConfig

/// `printedge doctor`'s checks: what breaks real printer hosts, each found with the exact
/// command that fixes it. Reads the host under a root (`/`, or a test's fake `/proc`,
/// `/sys`, `/dev`, `/etc` and `/run`) and the daemon's configuration; changes nothing. What
/// does not apply here (no USB printer, not a Raspberry Pi, no `[mqtt]`) says so and why.
public struct Doctor: Sendable {
    public let configuration: DaemonConfiguration
    public let environment: DoctorEnvironment

    public init(configuration: DaemonConfiguration, environment: DoctorEnvironment = .system) {
        self.configuration = configuration
        self.environment = environment
    }

    static let checks: [any DoctorCheck] = [
        DaemonUserCheck(), DeviceAccessCheck(), DeviceNameCheck(), PortHolderCheck(), USBAutosuspendCheck(), BrailleDisplayCheck(),
        ModemManagerCheck(), UdevRulesCheck(), PowerSupplyCheck(), ClockCheck(), StorageCheck(), BrokerCheck(),
    ]

    /// Every check's findings, in a fixed order.
    public func findings() async -> [DoctorFinding] {
        let context = DoctorContext(configuration: configuration, environment: environment)
        var findings: [DoctorFinding] = []
        for check in Self.checks { findings += await check.findings(context) }
        return findings
    }
}

/// One kind of trouble a host can have.
protocol DoctorCheck: Sendable {
    func findings(_ context: DoctorContext) async -> [DoctorFinding]
}
