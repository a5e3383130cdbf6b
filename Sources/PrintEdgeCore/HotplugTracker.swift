/// Follows USB serial devices as they come and go and says which printer should be
/// connected to which device node.
///
/// Fed the configured printers' matches, then udev's add and remove events (or the diffs
/// of periodic rescans), it answers with `HotplugAction`s for the daemon to perform. No
/// I/O: the events carry everything, so recorded event sequences replay exactly in tests.
///
/// The rules, in order of precedence:
/// - A connected printer keeps its device until that device is removed, even when
///   another device fitting its match appears (reported as `ignoredSecondMatch`).
/// - A waiting printer connects only when exactly one present device fits its match and
///   no other printer's match fits that device. Several candidates are `ambiguous`; a
///   device several printers' matches fit is `contested`. Either is reported once, and
///   no printer is connected on a guess.
/// - A batch (`devicesEnumerated`) is judged as a whole, after all its removals and
///   additions, so the order a scan lists devices in never decides anything.
///
/// Departure from STYLE.md rule 3: each event returns a list of the shared
/// `HotplugAction` rather than an action enum of its own, because one event can concern
/// several printers (a device two printers' matches fit, a rescan after a hub replug).
public struct HotplugTracker: Sendable {
    /// A configured printer and how it recognises its device.
    public struct Printer: Sendable, Hashable {
        public var id: String
        public var match: PortMatch

        public init(id: String, match: PortMatch) {
            self.id = id
            self.match = match
        }
    }

    /// Where a printer stands, for status displays.
    public enum Status: Sendable, Equatable {
        /// No present device fits the printer's match.
        case waiting
        case connected(USBSerialPort)
        /// Several present devices fit the match.
        case ambiguous([USBSerialPort])
        /// The one device fitting the match fits other printers' matches too.
        case contested(USBSerialPort, rivals: [String])
    }

    public let printers: [Printer]
    /// Present devices by device node (a node names one device at a time).
    private var devices: [String: USBSerialPort] = [:]
    private var statuses: [String: Status]
    /// The node each printer was last connected through, to report "found again".
    private var lastDeviceNodes: [String: String] = [:]

    /// - Precondition: printer ids are distinct (the configuration checks this).
    public init(printers: [Printer]) {
        precondition(Set(printers.map(\.id)).count == printers.count, "HotplugTracker: printer ids must be distinct")
        self.printers = printers
        statuses = Dictionary(uniqueKeysWithValues: printers.map { ($0.id, .waiting) })
    }

    /// The printer's current status; `nil` for an id that is not configured.
    public func status(of printerID: String) -> Status? { statuses[printerID] }

    /// The devices present now, by device node.
    public var presentDevices: [USBSerialPort] { devices.values.sorted { $0.deviceNode < $1.deviceNode } }

    // MARK: - Events

    /// A full scan: exactly `ports` are present now (at start, and after each rescan when
    /// no udev monitor is available). Devices missing from it were removed; new ones added.
    public mutating func devicesEnumerated(_ ports: [USBSerialPort]) -> [HotplugAction] {
        let scanned = Dictionary(ports.map { ($0.deviceNode, $0) }, uniquingKeysWith: { _, last in last })
        var actions: [HotplugAction] = []
        for node in devices.keys.sorted() where scanned[node] != devices[node] {
            actions += remove(node)
        }
        for node in scanned.keys.sorted() where devices[node] == nil {
            if let port = scanned[node] { actions += insert(port) }
        }
        return actions + reconcile()
    }

    /// udev's `add` for a USB serial device.
    public mutating func deviceAdded(_ port: USBSerialPort) -> [HotplugAction] {
        if devices[port.deviceNode] == port { return [] }
        // A second add for a node already present (a rescan racing the monitor, a device
        // renumbered without its remove being seen) replaces the old device.
        let removals = devices[port.deviceNode] == nil ? [] : remove(port.deviceNode)
        return removals + insert(port) + reconcile()
    }

    /// udev's `remove` for the device at `deviceNode`. Unknown nodes are ignored: udev
    /// reports every tty, most of which were never USB candidates, and a rescan may have
    /// noticed the removal first.
    public mutating func deviceRemoved(deviceNode: String) -> [HotplugAction] {
        guard devices[deviceNode] != nil else { return [] }
        return remove(deviceNode) + reconcile()
    }

    // MARK: - Transitions

    /// Forgets the device; the printer connected to it, if any, disconnects and waits.
    private mutating func remove(_ node: String) -> [HotplugAction] {
        devices[node] = nil
        var actions: [HotplugAction] = []
        for printer in printers {
            if case .connected(let port) = statuses[printer.id], port.deviceNode == node {
                statuses[printer.id] = .waiting
                actions.append(.disconnect(printerID: printer.id, deviceNode: node))
            }
        }
        return actions
    }

    /// Records the device and warns each connected printer whose match it also fits.
    private mutating func insert(_ port: USBSerialPort) -> [HotplugAction] {
        devices[port.deviceNode] = port
        var actions: [HotplugAction] = []
        for printer in printers where printer.match.matches(port) {
            if case .connected(let current) = statuses[printer.id] {
                actions.append(.ignoredSecondMatch(printerID: printer.id, connectedTo: current.deviceNode, newcomer: port))
            }
        }
        return actions
    }

    /// Decides every unconnected printer from the devices present, all against the same
    /// state (decisions first, then applied), and reports the changes.
    private mutating func reconcile() -> [HotplugAction] {
        var decisions: [(printer: Printer, status: Status)] = []
        for printer in printers {
            if case .connected = statuses[printer.id] { continue }
            decisions.append((printer, decide(printer)))
        }
        var actions: [HotplugAction] = []
        for (printer, status) in decisions where statuses[printer.id] != status {
            statuses[printer.id] = status
            switch status {
            case .connected(let port):
                actions.append(.connect(printerID: printer.id, port: port, previousDeviceNode: lastDeviceNodes[printer.id]))
                lastDeviceNodes[printer.id] = port.deviceNode
            case .ambiguous(let candidates):
                actions.append(.ambiguous(printerID: printer.id, candidates: candidates))
            case .contested(let port, let rivals):
                actions.append(.contested(printerID: printer.id, port: port, rivals: rivals))
            case .waiting:
                // The status was an ambiguity or a contest: a printer that has just
                // disconnected is already `.waiting` (its `disconnect` said so).
                actions.append(.waiting(printerID: printer.id))
            }
        }
        return actions
    }

    private func decide(_ printer: Printer) -> Status {
        let candidates = presentDevices.filter(printer.match.matches)
        guard let only = candidates.first else { return .waiting }
        guard candidates.count == 1 else { return .ambiguous(candidates) }
        let rivals = printers.filter { $0.id != printer.id && $0.match.matches(only) }.map(\.id)
        return rivals.isEmpty ? .connected(only) : .contested(only, rivals: rivals)
    }
}
