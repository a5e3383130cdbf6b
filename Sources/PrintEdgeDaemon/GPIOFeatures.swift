import Logging
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeGPIO

/// The lines of `[gpio]` and the policies that decide what their changes mean: what
/// `GPIOService`'s thread works on.
///
/// Each line serves a set of printers: a line in `[gpio]` every printer without one of its
/// own in `[[gpio.printer]]`; an emergency stop in `[gpio]` every printer, beside their own.
/// The emergency stop is the hot path: from the descriptor's read to `M112` handed to the
/// printers' connections there is one `switch` and no actor hop, and logging comes after.
///
/// `@unchecked Sendable`: built by `GPIOService.init` (the lines are requested at start),
/// then touched by the service's thread alone. That one hand-over is the only crossing; the
/// line requests it holds are single-owner classes.
final class GPIOFeatures: @unchecked Sendable {
    typealias Instant = ContinuousClock.Instant

    /// One requested line.
    struct Line {
        let request: GPIOLineRequest
        let offset: UInt32
        /// "line 17 on gpiochip0 [pinctrl-rp1]", for logs and `power.status`.
        let title: String

        func drive(_ active: Bool) throws(GPIOError) {
            try request.setValue(active, offset: offset)
        }
    }

    enum Role {
        case emergencyStop(EmergencyStopPolicy)
        case filamentRunout(FilamentRunoutPolicy)
        case door(DoorInterlockPolicy)
    }

    struct Input {
        /// Where it is configured: "[gpio.emergency_stop]".
        let key: String
        let printers: [String]
        let line: Line
        var role: Role
        /// Why the line can no longer be read; it is left out of the poll from then on.
        var failure: String?

        var isPressedEmergencyStop: Bool {
            if case .emergencyStop(let policy) = role { policy.isPressed } else { false }
        }
    }

    struct Light {
        let printers: [String]
        let line: Line
        var blinker = StatusLEDBlinker<Instant>()
        var lit: Bool?
    }

    private var power: GPIOPowerRelays
    private var inputs: [Input] = []
    private var lights: [Light] = []
    private let printerIDs: [String]
    private var printers: [String: Printer] = [:]
    private var activities: [String: PrinterActivity] = [:]
    private let logger: Logger

    /// Requests every line: inputs first and read once, since a pressed emergency stop
    /// decides how the relays start.
    ///
    /// A relay keeps the state it is found in (`GPIOChip.takeOverOutput`: requested with
    /// its direction as it is, read, then made an output at that level): a daemon restart
    /// neither switches every idle printer on nor cuts a printing one, whose hotend's fan
    /// shares the supply. Found on, its idle time starts and it opens once every hotend it
    /// powers is cool; found off, it stays off until a job or `printedge power on`. Only an
    /// emergency stop pressed at start, serving its printers, forces it off.
    init(settings: GPIOSettings, chip: GPIOChip, printers: [PrinterConfiguration], printerAppearTimeout: Duration, logger: Logger) throws(DaemonError) {
        self.logger = logger
        power = GPIOPowerRelays(logger: logger)
        let ids = printers.map(\.id)
        printerIDs = ids
        let units = Self.units(settings, printerIDs: ids)
        for unit in units {
            if let stop = unit.lines.emergencyStop {
                let settings = EmergencyStopPolicy.lineSettings(normallyClosed: stop.normallyClosed, bias: Self.bias(stop.bias), debounce: stop.debounce)
                try addInput(unit.key("emergency_stop"), unit.allPrinters, stop.line, settings, on: chip, role: .emergencyStop(EmergencyStopPolicy()))
            }
            if let runout = unit.lines.filamentRunout {
                let settings = FilamentRunoutPolicy.lineSettings(presentLevel: Self.level(runout.activeLevel), bias: Self.bias(runout.bias), debounce: runout.debounce)
                try addInput(unit.key("filament_runout"), unit.served { $0.filamentRunout != nil }, runout.line, settings, on: chip, role: .filamentRunout(FilamentRunoutPolicy()))
            }
            if let door = unit.lines.door {
                let settings = DoorInterlockPolicy.lineSettings(closedLevel: Self.level(door.activeLevel), bias: Self.bias(door.bias), debounce: door.debounce)
                try addInput(unit.key("door"), unit.served { $0.door != nil }, door.line, settings, on: chip, role: .door(DoorInterlockPolicy(pausesOnOpen: door.pauseOnOpen)))
            }
        }
        let now = ContinuousClock.now
        for unit in units {
            if let relay = unit.lines.powerRelay {
                let served = unit.served { $0.powerRelay != nil }
                let stop = inputs.first { $0.isPressedEmergencyStop && $0.printers.contains(where: served.contains) }?.key
                let (line, foundOn) = try Self.takeOverRelay(relay.line, activeLow: relay.activeLow, forcingOff: stop != nil, key: unit.key("power_relay"), on: chip)
                let on = foundOn && stop == nil
                // A hot hotend is looked at again within the idle time, and at least once a minute.
                let recheck = min(.seconds(60), relay.idleOff ?? .seconds(60))
                let configuration = PowerRelayPolicy<Instant>.Configuration(
                    idleOffDelay: relay.idleOff, printerAppearTimeout: printerAppearTimeout, hotRecheckInterval: recheck)
                let safe = printers.filter { served.contains($0.id) }.map { ($0.id, relay.safeHotendTemperatureCelsius ?? $0.profile.safeHotendCelsius) }
                power.add(
                    GPIOPowerRelays.Relay(
                        name: unit.name, printers: served, line: line, policy: PowerRelayPolicy(configuration: configuration, isOn: on, now: now),
                        safeCelsius: Dictionary(safe, uniquingKeysWith: { first, _ in first })),
                    foundOn: foundOn, stoppedBy: stop)
            }
            if let led = unit.lines.statusLED {
                let line = try Self.request(led.line, .output(initiallyActive: false, activeLow: led.activeLow), consumer: "printedge led", key: unit.key("status_led"), on: chip)
                lights.append(Light(printers: unit.served { $0.statusLED != nil }, line: line))
            }
        }
    }

    /// What the daemon's log says at start.
    var summary: String {
        let parts = power.relays.map { "power relay \($0.name) on \($0.line.title) for \(Self.list($0.printers))" }
            + inputs.map { "\($0.key) on \($0.line.title) for \(Self.list($0.printers))" }
            + lights.map { "status LED on \($0.line.title) for \(Self.list($0.printers))" }
        return parts.joined(separator: "; ")
    }

    func attach(_ printers: [Printer]) {
        self.printers = Dictionary(printers.map { ($0.setup.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - The thread's turns

    func start(now: Instant) {
        for input in inputs where input.isPressedEmergencyStop {
            logger.critical("GPIO: the emergency stop \(input.key) (\(input.line.title)) is pressed or its wire is broken: printers \(Self.list(input.printers)) stay unpowered and take no job until it is released")
        }
        updateLights(now: now)
    }

    func perform(_ command: GPIOService.Command, now: Instant) {
        switch command {
        case .activity(let printerID, let activity):
            let previous = activities[printerID]
            activities[printerID] = activity
            if previous?.hasJob == true, !activity.hasJob { power.jobEnded(printerID, now: now) }
            if activity.state == .idle { power.printerAppeared(printerID, now: now) }
            updateLights(now: now)
        case .jobWillStart(let printerID, let reply):
            power.jobWillStart(printerID, present: activities[printerID]?.state == .idle, reply: reply, now: now)
        case .jobEnded(let printerID):
            power.jobEnded(printerID, now: now)
        case .power(let request, let printerID, let reply):
            reply(power.power(request, printerID: printerID, now: now, hotends: hotends(of:)) { printers in
                self.inputs.first { $0.isPressedEmergencyStop && $0.printers.contains(where: printers.contains) }?.key
            })
        }
    }

    func tick(now: Instant) {
        power.tick(now: now, hotends: hotends(of:))
        for index in lights.indices {
            if let output = lights[index].blinker.tick(now: now) { light(index, lit: output.lit) }
        }
    }

    /// When `tick` is due next.
    var nextDeadline: Instant? {
        ([power.nextDeadline].compactMap { $0 } + lights.compactMap(\.blinker.nextChangeAt)).min()
    }

    /// The inputs still read, by index.
    var liveInputs: [Int] { inputs.indices.filter { inputs[$0].failure == nil } }

    func inputDescriptor(at index: Int) -> Int32 { inputs[index].line.request.eventDescriptor }

    /// The input's descriptor is readable: its edges, decided.
    func inputReady(at index: Int, now: Instant) {
        let events: [GPIOLineEvent]
        do {
            events = try inputs[index].line.request.readEvents()
        } catch {
            inputs[index].failure = error.description
            logger.critical("GPIO: \(inputs[index].key) (\(inputs[index].line.title)) can no longer be read: \(error); jobs on \(Self.list(inputs[index].printers)) are refused until printedged is restarted with the line working")
            return
        }
        for event in events where event.offset == inputs[index].line.offset {
            switch inputs[index].role {
            case .emergencyStop(var policy):
                let action = policy.lineEvent(event)
                inputs[index].role = .emergencyStop(policy)
                switch action {
                case .stop(let steps): emergencyStop(steps, input: index)
                case .released: logger.notice("GPIO: the emergency stop \(inputs[index].key) was released; reset the printers (Marlin stays halted after M112) before the next job")
                case .none: break
                }
            case .filamentRunout(var policy):
                let printing = printingPrinters(of: inputs[index])
                let action = policy.lineEvent(event, jobIsPrinting: !printing.isEmpty)
                inputs[index].role = .filamentRunout(policy)
                carryOut(action.interlockAction, input: index, printing: printing)
            case .door(var policy):
                let printing = printingPrinters(of: inputs[index])
                let action = policy.lineEvent(event, jobIsPrinting: !printing.isEmpty)
                inputs[index].role = .door(policy)
                carryOut(action.interlockAction, input: index, printing: printing)
            }
        }
        updateLights(now: now)
    }

    /// The daemon stops: jobs still waiting for power are refused.
    func stop() {
        power.refuseWaitingStarts()
    }

    /// Per printer, what its inputs say about starting and resuming a job.
    func interlocks() -> [String: GPIOInterlocks] {
        var result: [String: GPIOInterlocks] = [:]
        for printerID in printerIDs {
            var start: [String] = []
            var resume: [String] = []
            for input in inputs where input.printers.contains(printerID) {
                if let failure = input.failure {
                    let reason = "\(input.key) (\(input.line.title)) cannot be read (\(failure)): restart printedged once the line works"
                    start.append(reason)
                    resume.append(reason)
                    continue
                }
                let decisions: (start: InterlockDecision, resume: InterlockDecision)
                switch input.role {
                case .emergencyStop(let policy): decisions = (policy.jobStartRequested(), policy.jobStartRequested())
                case .filamentRunout(let policy): decisions = (policy.jobStartRequested(), policy.resumeRequested())
                case .door(let policy): decisions = (policy.jobStartRequested(), policy.resumeRequested())
                }
                if case .refused(let reason) = decisions.start { start.append(reason) }
                if case .refused(let reason) = decisions.resume { resume.append(reason) }
            }
            result[printerID] = GPIOInterlocks(startRefusal: start.isEmpty ? nil : start.joined(separator: "; "),
                                               resumeRefusal: resume.isEmpty ? nil : resume.joined(separator: "; "))
        }
        return result
    }

    /// Every hotend the relay powers; `nil` when a printer's are not known.
    private func hotends(of relay: GPIOPowerRelays.Relay) -> [HotendReading]? {
        var readings: [HotendReading] = []
        for printerID in relay.printers {
            guard let celsius = activities[printerID]?.hotendCelsius else { return nil }
            let safe = relay.safeCelsius[printerID] ?? PrinterProfile.defaultSafeHotendCelsius
            readings += celsius.map { HotendReading(temperatureCelsius: $0, safeTemperatureCelsius: safe) }
        }
        return readings
    }

    // MARK: - Inputs

    /// The stop sequence, in order: `M112` to every printer the button serves, their relays
    /// off, their jobs aborted.
    private func emergencyStop(_ steps: [EmergencyStopPolicy.Step], input index: Int) {
        let stopped = inputs[index].printers
        let cause = "emergency stop button (\(inputs[index].key), \(inputs[index].line.title))"
        for step in steps {
            switch step {
            case .sendEmergencyStop:
                for printerID in stopped { printers[printerID]?.emergencyStopNow(cause: cause) }
            case .switchPowerRelayOff:
                power.emergencyStop(stopped, cause: cause)
            case .abortJob:
                for printerID in stopped {
                    guard let printer = printers[printerID] else { continue }
                    Task { await printer.recordEmergencyStop() }
                }
            }
        }
        logger.critical("GPIO: EMERGENCY STOP: the \(cause) was pressed (or its wire broke): M112 sent to \(Self.list(stopped)), their power relays opened, their jobs aborted")
    }

    private func carryOut(_ action: InterlockAction, input index: Int, printing: [String]) {
        let key = inputs[index].key
        switch action {
        case .none:
            break
        case .pauseJob(let reason):
            logger.warning("GPIO: \(key): \(reason); pausing \(Self.list(printing))")
            for printerID in printing {
                guard let printer = printers[printerID] else { continue }
                let logger = self.logger
                Task {
                    do {
                        _ = try await printer.pauseJob(detail: reason)
                    } catch {
                        logger.error("GPIO: \(key) could not pause printer \(printerID): \(error)")
                    }
                }
            }
        case .record(let observation):
            logger.notice("GPIO: \(key): \(observation) (no job printing on \(Self.list(inputs[index].printers)))")
        }
    }

    private func printingPrinters(of input: Input) -> [String] {
        input.printers.filter { activities[$0]?.state == .printing }
    }

    // MARK: - Status LEDs

    private func updateLights(now: Instant) {
        for index in lights.indices {
            let served = lights[index].printers
            let pressed = inputs.contains { $0.isPressedEmergencyStop && $0.printers.contains(where: served.contains) }
            let pattern = GPIOStatusLight.pattern(for: served.map { activities[$0] }, emergencyStopPressed: pressed)
            light(index, lit: lights[index].blinker.show(pattern, now: now).lit)
        }
    }

    private func light(_ index: Int, lit: Bool) {
        guard lights[index].lit != lit else { return }
        do {
            try lights[index].line.drive(lit)
            lights[index].lit = lit
        } catch {
            // Logged once: the next change tries again, and an LED is not worth a flood.
            if lights[index].lit != nil { logger.error("GPIO: the status LED on \(lights[index].line.title) cannot be driven: \(error)") }
            lights[index].lit = nil
        }
    }

    // MARK: - Building

    private func addInput(_ key: String, _ served: [String], _ reference: GPIOSettings.LineReference, _ settings: GPIOLineSettings,
                          on chip: GPIOChip, role: Role) throws(DaemonError) {
        let consumer: String
        switch role {
        case .emergencyStop: consumer = "printedge e-stop"
        case .filamentRunout: consumer = "printedge runout"
        case .door: consumer = "printedge door"
        }
        let line = try Self.request(reference, settings, consumer: consumer, key: key, on: chip)
        var input = Input(key: key, printers: served, line: line, role: role)
        let active: Bool
        do {
            active = try line.request.value(offset: line.offset)
        } catch {
            throw .gpio(key: key, error)
        }
        switch input.role {
        case .emergencyStop(var policy):
            _ = policy.levelRead(pressed: active)
            input.role = .emergencyStop(policy)
        case .filamentRunout(var policy):
            _ = policy.sensorRead(filamentPresent: active, jobIsPrinting: false)
            input.role = .filamentRunout(policy)
        case .door(var policy):
            _ = policy.doorRead(closed: active, jobIsPrinting: false)
            input.role = .door(policy)
        }
        inputs.append(input)
    }

    private static func request(_ reference: GPIOSettings.LineReference, _ settings: GPIOLineSettings, consumer: String, key: String,
                                on chip: GPIOChip) throws(DaemonError) -> Line {
        do {
            let offset = try chip.offset(of: lineReference(reference))
            let request = try chip.request(GPIOLineRequestConfiguration(consumer: consumer, lines: [.init(offset: offset, settings: settings)]))
            return Line(request: request, offset: offset, title: "line \(offset) on \(chip.title)")
        } catch {
            throw .gpio(key: key, error)
        }
    }

    /// A power relay's line, made an output at the level it was found at (inactive when
    /// `forcingOff`), and whether that level was on.
    private static func takeOverRelay(_ reference: GPIOSettings.LineReference, activeLow: Bool, forcingOff: Bool, key: String,
                                      on chip: GPIOChip) throws(DaemonError) -> (line: Line, foundOn: Bool) {
        do {
            let offset = try chip.offset(of: lineReference(reference))
            let (request, foundOn) = try chip.takeOverOutput(offset: offset, activeLow: activeLow, consumer: "printedge power", forcingInactive: forcingOff)
            return (Line(request: request, offset: offset, title: "line \(offset) on \(chip.title)"), foundOn)
        } catch {
            throw .gpio(key: key, error)
        }
    }

    static func lineReference(_ reference: GPIOSettings.LineReference) -> GPIOLineReference {
        switch reference {
        case .offset(let offset): .offset(UInt32(clamping: offset))
        case .name(let name): .name(name)
        }
    }

    /// `[gpio]` itself, then each `[[gpio.printer]]`, with the printers each one's lines serve.
    private struct Unit {
        let name: String
        let lines: GPIOSettings.Lines
        let allPrinters: [String]
        /// The printers a line of this unit serves, given which printers have their own.
        let served: ((GPIOSettings.Lines) -> Bool) -> [String]

        func key(_ line: String) -> String {
            name == "host" ? "[gpio.\(line)]" : "[[gpio.printer]] `\(name)` \(line)"
        }
    }

    private static func units(_ settings: GPIOSettings, printerIDs: [String]) -> [Unit] {
        let host = Unit(name: "host", lines: settings.host, allPrinters: printerIDs) { hasOwn in
            printerIDs.filter { id in settings.lines(forPrinter: id).map(hasOwn) != true }
        }
        return [host] + settings.printers.map { entry in
            Unit(name: entry.printerID, lines: entry.lines, allPrinters: [entry.printerID]) { _ in [entry.printerID] }
        }
    }

    private static func bias(_ bias: GPIOSettings.Bias) -> GPIOLineSettings.Bias {
        switch bias {
        case .asIs: .asIs
        case .disabled: .disabled
        case .pullUp: .pullUp
        case .pullDown: .pullDown
        }
    }

    private static func level(_ level: GPIOSettings.Level) -> GPIOLineLevel {
        switch level {
        case .low: .low
        case .high: .high
        }
    }

    private static func list(_ printers: [String]) -> String {
        printers.isEmpty ? "no printer" : printers.joined(separator: ", ")
    }

}

/// What a runout sensor or a door switch asks of the printers it serves.
enum InterlockAction {
    case none
    case pauseJob(reason: String)
    case record(String)
}

extension FilamentRunoutPolicy.Action {
    var interlockAction: InterlockAction {
        switch self {
        case .none: .none
        case .pauseJob(let reason): .pauseJob(reason: reason)
        case .record(.runout): .record("the filament ran out")
        case .record(.inserted): .record("filament is back")
        }
    }
}

extension DoorInterlockPolicy.Action {
    var interlockAction: InterlockAction {
        switch self {
        case .none: .none
        case .pauseJob(let reason): .pauseJob(reason: reason)
        case .record(.opened): .record("the door was opened")
        case .record(.closed): .record("the door was closed")
        }
    }
}
