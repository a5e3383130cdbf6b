import Logging
import PrintEdgeConfig
import PrintEdgeControl
import PrintEdgeGPIO

/// The power relays of `[gpio]`, each with its `PowerRelayPolicy`, and the job starts
/// waiting for a printer to appear after power-on. Part of `GPIOFeatures`, on the GPIO
/// thread: the policies decide, this drives the lines and answers the waiting starts.
struct GPIOPowerRelays {
    typealias Instant = ContinuousClock.Instant
    typealias StartReply = @Sendable (Result<Void, ControlError>) -> Void

    struct Relay {
        /// `host`, or the printer whose `[[gpio.printer]]` wires it.
        let name: String
        let printers: [String]
        let line: GPIOFeatures.Line
        var policy: PowerRelayPolicy<Instant>
        /// Per printer, the hotend temperature below which it may lose power.
        let safeCelsius: [String: Double]
        /// A hot hotend keeping the relay on is logged once per idle period, not every check.
        var reportedHot = false
    }

    private(set) var relays: [Relay] = []
    /// Job starts waiting for their printer to appear after power-on, by printer.
    private var waiting: [String: [StartReply]] = [:]
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// A relay taken over at start; the log says the state it was found in and what comes
    /// next, since that state is now the relay's own and nothing else records it.
    /// `stoppedBy`: the pressed emergency stop that forced it off, if one did.
    mutating func add(_ relay: Relay, foundOn: Bool, stoppedBy stop: String?) {
        relays.append(relay)
        let found = "GPIO: power relay \(relay.name): found \(foundOn ? "on" : "off") (\(relay.line.title))"
        if foundOn, let stop {
            logger.notice("\(found); switched off: the emergency stop \(stop) is pressed")
        } else if !foundOn {
            logger.notice("\(found); switches on when a job starts or on `printedge power on`")
        } else if let idleOff = relay.policy.configuration.idleOffDelay {
            logger.notice("\(found); switches off after \(Self.describe(idleOff)) idle when every hotend it powers is cool")
        } else {
            logger.notice("\(found); stays on until `printedge power off` (idle_off_minutes = 0)")
        }
    }

    var nextDeadline: Instant? { relays.compactMap(\.policy.nextDeadline).min() }

    /// The relay powering `printerID`: its own, else the host's.
    func index(serving printerID: String) -> Int? {
        relays.firstIndex { $0.printers.contains(printerID) }
    }

    // MARK: - Jobs

    /// A job is about to start on `printerID`; `present`: it is connected and idle. `reply`
    /// is answered once it may start (at once, or when it appears), or why it may not.
    mutating func jobWillStart(_ printerID: String, present: Bool, reply: @escaping StartReply, now: Instant) {
        guard let index = index(serving: printerID) else { return reply(.success(())) }
        switch relays[index].policy.jobWillStart(printer: printerID, printerPresent: present, now: now) {
        case .startJob:
            reply(.success(()))
        case .switchOnAndWaitForPrinter(let until):
            waiting[printerID, default: []].append(reply)
            guard drive(relays[index], on: true) else {
                answer(printerID, .failure(ControlError(code: .internal, message: "the power relay of printer \(printerID) (\(relays[index].line.title)) could not be switched on; see the daemon's log")))
                jobEnded(printerID, now: now)
                return
            }
            logger.info("GPIO: power relay \(relays[index].name) switched on for a job on printer \(printerID); waiting up to \(now.duration(to: until)) for it to appear")
            // A board powered over USB stays connected with its supply off: it is there already.
            if present { printerAppeared(printerID, now: now) }
        case .waitForPrinter:
            waiting[printerID, default: []].append(reply)
        }
    }

    /// The printer is connected and idle: a start waiting for it may go on.
    mutating func printerAppeared(_ printerID: String, now: Instant) {
        guard let index = index(serving: printerID),
            relays[index].policy.printerAppeared(printer: printerID, now: now) == .startJob
        else { return }
        answer(printerID, .success(()))
    }

    mutating func jobEnded(_ printerID: String, now: Instant) {
        guard let index = index(serving: printerID) else { return }
        _ = relays[index].policy.jobEnded(printer: printerID, now: now)
    }

    /// Due deadlines: starts whose printer did not appear fail; idle relays open if cool.
    mutating func tick(now: Instant, hotends: (Relay) -> [HotendReading]?) {
        for index in relays.indices {
            guard let deadline = relays[index].policy.nextDeadline, deadline <= now else { continue }
            switch relays[index].policy.tick(now: now, hotends: hotends(relays[index])) {
            case .none:
                break
            case .failJobs(let late, let reason):
                for printerID in late {
                    answer(printerID, .failure(ControlError(code: .notConnected, message: "printer \(printerID): \(reason)")))
                }
            case .switchOff:
                relays[index].reportedHot = false
                if drive(relays[index], on: false) {
                    logger.info("GPIO: power relay \(relays[index].name) switched off: idle, and every hotend it powers is cool")
                }
            case .keepOnWhileHot(let hottest, let checkAgainAt):
                guard !relays[index].reportedHot else { break }
                relays[index].reportedHot = true
                let why = hottest.map { "a hotend is at \(Int($0.rounded())) °C" } ?? "a printer's hotend temperature is not known"
                logger.notice("GPIO: power relay \(relays[index].name) stays on although idle: \(why); checked again in \(now.duration(to: checkAgainAt))")
            }
        }
    }

    /// The emergency stop for `stopped`: their relays open whatever the temperature, and
    /// starts waiting on those relays are refused.
    mutating func emergencyStop(_ stopped: [String], cause: String) {
        for index in relays.indices where relays[index].printers.contains(where: stopped.contains) {
            _ = drive(relays[index], on: false)
            relays[index].policy.emergencyStopped()
            for printerID in relays[index].printers {
                answer(printerID, .failure(ControlError(code: .refused, message: "printer \(printerID): the \(cause) was pressed")))
            }
            let others = relays[index].printers.filter { !stopped.contains($0) }
            if !others.isEmpty {
                logger.warning("GPIO: power relay \(relays[index].name) also powers \(others.joined(separator: ", ")), which lost power with the emergency stop")
            }
        }
    }

    /// The daemon stops: waiting starts are refused.
    mutating func refuseWaitingStarts() {
        for printerID in waiting.keys.sorted() {
            answer(printerID, .failure(ControlError(code: .refused, message: "printedged is stopping; the job was not started")))
        }
    }

    // MARK: - power.on, power.off, power.status

    /// `stoppedBy`: the pressed emergency stop serving any of these printers, if one is.
    mutating func power(
        _ request: GPIOService.PowerRequest, printerID: String?, now: Instant, hotends: (Relay) -> [HotendReading]?,
        stoppedBy: ([String]) -> String?
    ) -> Result<[PowerRelayStatus], ControlError> {
        let targets: [Int]
        if let printerID {
            guard let index = index(serving: printerID) else {
                return .failure(ControlError(code: .notConfigured, message: "printer \(printerID) has no power relay: wire one as [gpio.power_relay] (every printer) or in its [[gpio.printer]] (see hardware/gpio/WIRING.md)"))
            }
            targets = [index]
        } else {
            guard !relays.isEmpty else {
                return .failure(ControlError(code: .notConfigured, message: "no power relay is configured: wire one as [gpio.power_relay] or in a [[gpio.printer]] (see hardware/gpio/WIRING.md)"))
            }
            targets = Array(relays.indices)
        }
        var refusals: [String] = []
        for index in targets {
            let relay = relays[index]
            switch request {
            case .status:
                break
            case .on:
                if let stop = stoppedBy(relay.printers) {
                    refusals.append("relay \(relay.name) stays off: the emergency stop \(stop) is pressed (or its wire is broken); release it first")
                } else if relays[index].policy.switchOnRequested(now: now) == .switchOn, !drive(relay, on: true) {
                    refusals.append("relay \(relay.name) (\(relay.line.title)) could not be switched on; see the daemon's log")
                }
            case .off:
                switch relays[index].policy.switchOffRequested(now: now, hotends: hotends(relay)) {
                case .switchOff:
                    if !drive(relay, on: false) { refusals.append("relay \(relay.name) (\(relay.line.title)) could not be switched off; see the daemon's log") }
                case .alreadyOff:
                    break
                case .refused(let reason):
                    refusals.append("relay \(relay.name) stays on: \(reason)")
                }
            }
        }
        guard refusals.isEmpty else { return .failure(ControlError(code: .refused, message: refusals.joined(separator: "; "))) }
        return .success(targets.map { status(of: relays[$0], now: now) })
    }

    private func status(of relay: Relay, now: Instant) -> PowerRelayStatus {
        var status = PowerRelayStatus(relay: relay.name, printers: relay.printers, on: relay.policy.isOn, state: "off", line: relay.line.title)
        switch relay.policy.status {
        case .off:
            break
        case .on(let switchOffAt):
            status.state = "idle"
            status.switchOffInSeconds = switchOffAt.map { max(0, Self.seconds(now.duration(to: $0))) }
        case .busy(let printing, let waitingFor):
            status.state = "busy"
            status.printing = printing
            status.waitingFor = waitingFor
        }
        return status
    }

    /// Sets the relay's line; false (and logged) when the chip refuses.
    private func drive(_ relay: Relay, on: Bool) -> Bool {
        do {
            try relay.line.drive(on)
            return true
        } catch {
            logger.error("GPIO: power relay \(relay.name) could not be switched \(on ? "on" : "off"): \(error)")
            return false
        }
    }

    private mutating func answer(_ printerID: String, _ outcome: Result<Void, ControlError>) {
        for reply in waiting.removeValue(forKey: printerID) ?? [] { reply(outcome) }
    }

    /// "30 min", "90 s", "500 ms": idle times are configured in minutes, tests use less.
    private static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000) min" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(milliseconds) ms"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
