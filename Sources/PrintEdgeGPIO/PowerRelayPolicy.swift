/// A relay switching printer power: on before a job starts (then wait for the printer's
/// USB device to appear), off after an idle time — but never while a hotend is hot. The
/// hotend's heat-break fan runs from the same supply; cut it early and heat creeps up into
/// the cold end and clogs it. A switch-off that finds a hot hotend is re-checked later.
///
/// One relay may feed several printers (a host-wide relay): it stays on while any of them
/// prints or waits for its device. Only an emergency stop switches off regardless of
/// temperature (see `EmergencyStopPolicy`), through `emergencyStopped()`.
///
/// Sans-I/O and clock-free: every event carries `now`, and `nextDeadline` tells the caller
/// when to call `tick`. Generic over the instant so the daemon passes its monotonic clock
/// and tests a manual one.
public struct PowerRelayPolicy<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public struct Configuration: Sendable, Equatable {
        /// How long the relay stays on with nothing printing; `nil`: until switched off by
        /// hand.
        public var idleOffDelay: Duration?
        /// How long a printer's USB device may take to appear after power-on. Marlin boards
        /// enumerate within a few seconds; bootloaders that wait for an upload add more.
        public var printerAppearTimeout: Duration
        /// How long to wait before checking a hot hotend again.
        public var hotRecheckInterval: Duration

        public init(idleOffDelay: Duration?, printerAppearTimeout: Duration = .seconds(60), hotRecheckInterval: Duration = .seconds(60)) {
            self.idleOffDelay = idleOffDelay
            self.printerAppearTimeout = printerAppearTimeout
            self.hotRecheckInterval = hotRecheckInterval
        }
    }

    public enum Status: Sendable, Equatable {
        case off
        /// On with nothing printing; switched off at `switchOffAt` if cool.
        case on(switchOffAt: Instant?)
        /// On for these printers.
        case busy(printing: [String], waitingFor: [String])
    }

    public enum JobStartAction: Sendable, Equatable {
        /// Power is on and the printer is there.
        case startJob
        /// Close the relay; the job starts when `printerAppeared` reports the device.
        case switchOnAndWaitForPrinter(until: Instant)
        /// Power is on but the printer's device is not there yet.
        case waitForPrinter(until: Instant)
    }

    public enum PrinterAppearedAction: Sendable, Equatable {
        case none
        case startJob
    }

    public enum JobEndedAction: Sendable, Equatable {
        case none
        /// Nothing prints any more: call `tick` at this instant.
        case checkSwitchOff(at: Instant)
    }

    public enum TickAction: Sendable, Equatable {
        case none
        /// These printers' devices did not appear in time: fail their jobs with `reason`.
        case failJobs(printers: [String], reason: String)
        /// Open the relay.
        case switchOff
        /// Idle long enough, but a hotend is above its safe temperature (`hottestCelsius`
        /// is the hottest of those), or some printer's temperature is unknown (`nil`): stay
        /// on, `tick` again at `checkAgainAt`.
        case keepOnWhileHot(hottestCelsius: Double?, checkAgainAt: Instant)
    }

    public enum SwitchOnAction: Sendable, Equatable {
        case switchOn
        case alreadyOn
    }

    public enum SwitchOffAction: Sendable, Equatable {
        case switchOff
        case alreadyOff
        case refused(reason: String)
    }

    private enum State {
        /// The relay is open: the printers have no power.
        case off
        /// The relay is closed and at least one printer prints, or waits (until its
        /// deadline) for its USB device to appear.
        case busy(printing: Set<String>, waiting: [String: Instant])
        /// The relay is closed and nothing prints; at `offCheckAt` it opens if every hotend
        /// is cool (`nil`: it stays closed until switched off by hand).
        case idle(offCheckAt: Instant?)
    }

    public let configuration: Configuration
    private var state: State

    /// `isOn`: the relay's state when the daemon starts, read from the line without
    /// disturbing it (`GPIOChip.takeOverOutput`): on, its idle time starts now.
    public init(configuration: Configuration, isOn: Bool, now: Instant) {
        self.configuration = configuration
        self.state = isOn ? .idle(offCheckAt: configuration.idleOffDelay.map { now.advanced(by: $0) }) : .off
    }

    public var status: Status {
        switch state {
        case .off: .off
        case .idle(let offCheckAt): .on(switchOffAt: offCheckAt)
        case .busy(let printing, let waiting): .busy(printing: printing.sorted(), waitingFor: waiting.keys.sorted())
        }
    }

    public var isOn: Bool {
        if case .off = state { false } else { true }
    }

    /// When `tick` must be called next, if at all.
    public var nextDeadline: Instant? {
        switch state {
        case .off: nil
        case .idle(let offCheckAt): offCheckAt
        case .busy(_, let waiting): waiting.values.min()
        }
    }

    /// A job is about to start on `printer`; `printerPresent`: its USB device exists now.
    public mutating func jobWillStart(printer: String, printerPresent: Bool, now: Instant) -> JobStartAction {
        let deadline = now.advanced(by: configuration.printerAppearTimeout)
        switch state {
        case .off:
            state = .busy(printing: [], waiting: [printer: deadline])
            return .switchOnAndWaitForPrinter(until: deadline)
        case .idle:
            if printerPresent {
                state = .busy(printing: [printer], waiting: [:])
                return .startJob
            }
            state = .busy(printing: [], waiting: [printer: deadline])
            return .waitForPrinter(until: deadline)
        case .busy(var printing, var waiting):
            // A printer runs one job at a time, so it is neither printing nor waiting here;
            // should the caller repeat itself, the earlier deadline stands.
            if printerPresent {
                waiting[printer] = nil
                printing.insert(printer)
                state = .busy(printing: printing, waiting: waiting)
                return .startJob
            }
            let until = waiting[printer] ?? deadline
            waiting[printer] = until
            state = .busy(printing: printing, waiting: waiting)
            return .waitForPrinter(until: until)
        }
    }

    /// The printer's USB device appeared (the udev monitor saw it).
    public mutating func printerAppeared(printer: String, now: Instant) -> PrinterAppearedAction {
        guard case .busy(var printing, var waiting) = state, waiting.removeValue(forKey: printer) != nil else { return .none }
        printing.insert(printer)
        state = .busy(printing: printing, waiting: waiting)
        return .startJob
    }

    /// The printer's job ended, however it ended (done, cancelled, failed, or given up while
    /// waiting for the device).
    public mutating func jobEnded(printer: String, now: Instant) -> JobEndedAction {
        guard case .busy(var printing, var waiting) = state else { return .none }
        printing.remove(printer)
        waiting[printer] = nil
        return settle(printing: printing, waiting: waiting, now: now)
    }

    /// Time passed; `hotends` holds every hotend on this relay, `nil` when one of them is
    /// not known (a printer not answering is assumed hot: nobody knows its hotend is cool).
    public mutating func tick(now: Instant, hotends: [HotendReading]?) -> TickAction {
        switch state {
        case .off:
            return .none
        case .busy(let printing, var waiting):
            let late = waiting.filter { $0.value <= now }.keys.sorted()
            guard !late.isEmpty else { return .none }
            for printer in late { waiting[printer] = nil }
            _ = settle(printing: printing, waiting: waiting, now: now)
            return .failJobs(
                printers: late,
                reason: "the printer's USB device did not appear within \(configuration.printerAppearTimeout) of power-on: "
                    + "check the relay switches its supply and its USB cable")
        case .idle(let offCheckAt):
            guard let offCheckAt, offCheckAt <= now else { return .none }
            if let hotends, hotends.allSatisfy(\.isCool) {
                state = .off
                return .switchOff
            }
            let checkAgainAt = now.advanced(by: configuration.hotRecheckInterval)
            state = .idle(offCheckAt: checkAgainAt)
            let hottest = hotends.flatMap { readings in readings.filter { !$0.isCool }.map(\.temperatureCelsius).max() }
            return .keepOnWhileHot(hottestCelsius: hottest, checkAgainAt: checkAgainAt)
        }
    }

    /// `printedge power on`. The idle time runs from now.
    public mutating func switchOnRequested(now: Instant) -> SwitchOnAction {
        guard case .off = state else { return .alreadyOn }
        state = .idle(offCheckAt: configuration.idleOffDelay.map { now.advanced(by: $0) })
        return .switchOn
    }

    /// `printedge power off`: refused while anything prints or a hotend is hot.
    public mutating func switchOffRequested(now: Instant, hotends: [HotendReading]?) -> SwitchOffAction {
        switch state {
        case .off:
            return .alreadyOff
        case .busy(let printing, let waiting):
            let printers = (printing.sorted() + waiting.keys.sorted()).joined(separator: ", ")
            return .refused(reason: "the relay powers \(printers), which \(printing.count + waiting.count == 1 ? "has" : "have") a job: finish or cancel it first")
        case .idle:
            guard let hotends else {
                return .refused(reason: "a hotend's temperature is not known: the relay stays on until every hotend reports a safe temperature")
            }
            if let hot = hotends.filter({ !$0.isCool }).max(by: { $0.temperatureCelsius < $1.temperatureCelsius }) {
                return .refused(
                    reason: "a hotend is at \(Self.celsius(hot.temperatureCelsius)), above its safe \(Self.celsius(hot.safeTemperatureCelsius)): "
                        + "its fan needs power until it cools; try again in a few minutes")
            }
            state = .off
            return .switchOff
        }
    }

    /// The emergency stop opened the relay (see `EmergencyStopPolicy.Step.switchPowerRelayOff`);
    /// every job on it is aborted by the same stop.
    public mutating func emergencyStopped() {
        state = .off
    }

    private mutating func settle(printing: Set<String>, waiting: [String: Instant], now: Instant) -> JobEndedAction {
        guard printing.isEmpty && waiting.isEmpty else {
            state = .busy(printing: printing, waiting: waiting)
            return .none
        }
        let offCheckAt = configuration.idleOffDelay.map { now.advanced(by: $0) }
        state = .idle(offCheckAt: offCheckAt)
        return offCheckAt.map { .checkSwitchOff(at: $0) } ?? .none
    }

    private static func celsius(_ value: Double) -> String {
        "\(Int(value.rounded())) °C"
    }
}
