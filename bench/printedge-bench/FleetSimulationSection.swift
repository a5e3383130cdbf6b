import ArgumentParser
import FoundationEssentials
import Glibc

/// A fleet against one broker: several `printedged` processes (agents), each with many
/// printers, every printer's status published once a second (`status_heartbeat_s = 1`),
/// one consumer subscribed to the whole fleet. The broker's own counters (`$SYS`) give its
/// message rate; the consumer's receive time against each message's `at_ms` (the commit in
/// the agent's outbox) gives the end-to-end latency.
///
/// The printers have no port, so they stay offline and the agents do nothing but their fleet
/// link: on two cores, simulators for every printer would measure the simulators.
struct FleetSimulationSection: BenchSection {
    struct Options: ParsableArguments {
        @Option(help: "Agents (printedged processes) in the fleet simulation (default 8; 3 with --quick).")
        var agents: Int?

        @Option(help: "Printers per agent (default 25; 10 with --quick).")
        var printersPerAgent: Int?

        @Option(help: "Seconds measured once every agent is connected (default 30; 10 with --quick).")
        var fleetSeconds: Int?

        func validate() throws {
            if let agents, !(1...200).contains(agents) { throw ValidationError("--agents must be 1...200") }
            if let printersPerAgent, !(1...500).contains(printersPerAgent) { throw ValidationError("--printers-per-agent must be 1...500") }
            if let fleetSeconds, fleetSeconds < 5 { throw ValidationError("--fleet-seconds must be 5 or more") }
        }
    }

    static let fleet = "simulated"
    var options: Options

    func measure(with context: BenchContext) throws(BenchError) -> ResultTable {
        let agents = options.agents ?? (context.quick ? 3 : 8)
        let printers = options.printersPerAgent ?? (context.quick ? 10 : 25)
        let seconds = options.fleetSeconds ?? (context.quick ? 10 : 30)
        let workspace = context.workspace
        let broker = try BenchBroker(label: "fleet-sim", context: context)
        defer { broker.process.stop() }
        let messagesPath = workspace.path("fleet-sim.messages")
        let systemPath = workspace.path("fleet-sim.sys")
        let consumer = try broker.subscriber(["printedge/v1/\(Self.fleet)/+/status"], format: "%U %p", outputPath: messagesPath,
                                             errorPath: workspace.path("fleet-sim.consumer.log"))
        let counters = try broker.subscriber(["$SYS/broker/messages/received", "$SYS/broker/publish/messages/sent"], format: "%U %t %p",
                                             outputPath: systemPath, errorPath: workspace.path("fleet-sim.sys.log"))
        defer {
            consumer.stop()
            counters.stop()
        }
        context.progress("fleet: \(agents) agents x \(printers) printers, status every second, for \(seconds) s ...")
        var daemons: [ChildProcess] = []
        defer { for daemon in daemons where daemon.outcome == nil { daemon.stop() } }
        for agent in 0..<agents {
            let label = "fleet-sim-agent\(agent)"
            let configuration = workspace.path("\(label).printedge.toml")
            try Workspace.write(FleetAgentConfiguration.text(
                state: workspace.path("\(label).state"), brokerPort: broker.port, fleet: Self.fleet, clientID: "bench-\(label)",
                printers: (0..<printers).map { "a\(agent)-p\($0)" }, extra: "status_heartbeat_s = 1"), to: configuration)
            daemons.append(try ChildProcess(executable: try context.binaries.daemon(), arguments: ["--config", configuration],
                                            outputPath: workspace.path("\(label).out"), errorPath: workspace.path("\(label).log")))
        }
        // Measured from the moment every agent has published: the start-up burst left out.
        let warmUp = ContinuousClock.now + .seconds(30)
        while Set(Self.received(in: messagesPath, after: 0).map(\.agent)).count < agents {
            if ContinuousClock.now >= warmUp || context.interruption.isRequested {
                throw BenchError("not every agent published within 30 s (\(workspace.directory))")
            }
            Sleep.milliseconds(100)
        }
        Sleep.milliseconds(2_000)
        let startNS = DaemonHarness.realtimeNanoseconds()
        Sleep.milliseconds(seconds * 1000)
        let endNS = DaemonHarness.realtimeNanoseconds()
        let outcomes = daemons.map { $0.stop() }
        Sleep.milliseconds(1_500)

        let messages = Self.received(in: messagesPath, after: startNS).filter { $0.receivedNS < endNS }
        let latencies = messages.map { Double($0.receivedNS / 1_000_000 - $0.atMS) }.sorted()
        let rates = Self.counterRates(in: systemPath, from: startNS, to: endNS)
        let cpu = outcomes.reduce(0) { $0 + $1.cpuSeconds }
        let elapsed = Double(endNS - startNS) / 1e9
        var table = ResultTable(
            title: "Fleet simulation: \(agents) agents x \(printers) printers against one mosquitto, \(seconds) s",
            reference: [
                "load: every printer's retained status once a second (status_heartbeat_s = 1), \(agents * printers) messages/s, "
                    + "plus one at each state change of its reconnect attempts (the port is absent)",
                "broker, by its $SYS counters over the measured seconds (sys_interval 1): packets in of any kind ($SYS/broker/messages/received: "
                    + "the agents' PUBLISH and the consumer's PUBACK, as mosquitto 2.0.11 leaves publish/messages/received at 0) and PUBLISH out "
                    + "($SYS/broker/publish/messages/sent)",
                "latency: receive time at one consumer (mosquitto_sub, %U) minus the message's at_ms (its commit in the agent's outbox); "
                    + "same host, same clock",
            ],
            headers: ["consumer msg/s", "broker packets in/s", "broker PUBLISH out/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "agent CPU %", "notes"])
        table.rows.append([
            Figure.fixed(Double(messages.count) / elapsed, 0), Figure.fixed(rates.received, 0), Figure.fixed(rates.sent, 0),
            Figure.fixed(Self.percentile(latencies, 0.5), 1), Figure.fixed(Self.percentile(latencies, 0.95), 1),
            Figure.fixed(Self.percentile(latencies, 0.99), 1), Figure.fixed(latencies.last, 1),
            Figure.fixed(cpu / Double(agents) / (outcomes.map(\.wallSeconds).max() ?? 1) * 100, 1),
            "\(messages.count) status messages; CPU % is per agent over its whole run",
        ])
        return table
    }

    private struct Received {
        var receivedNS: Int64
        var atMS: Int64
        var agent: String
    }

    /// `%U %p` lines: the receive time with nanoseconds, then the envelope.
    private static func received(in path: String, after startNS: Int64) -> [Received] {
        (Workspace.contents(of: path) ?? "").split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " "), let receivedNS = nanoseconds(line[..<space]), receivedNS >= startNS,
                  let json = try? JSONDecoder().decode(Envelope.self, from: Data(line[line.index(after: space)...].utf8))
            else { return nil }
            return Received(receivedNS: receivedNS, atMS: json.atMS, agent: String(json.printer.prefix { $0 != "-" }))
        }
    }

    private struct Envelope: Decodable {
        var printer: String
        var atMS: Int64

        enum CodingKeys: String, CodingKey {
            case printer
            case atMS = "at_ms"
        }
    }

    /// `1470818943.786368637` → nanoseconds.
    private static func nanoseconds(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let seconds = Int64(parts[0]), let fraction = Int64(parts[1].prefix(9).padding(toLength: 9, withPad: "0", startingAt: 0))
        else { return nil }
        return seconds * 1_000_000_000 + fraction
    }

    /// Messages per second by the broker's counters, from the first report at or after
    /// `from` to the last before `to`.
    private static func counterRates(in path: String, from startNS: Int64, to endNS: Int64) -> (received: Double?, sent: Double?) {
        var samples: [String: [(Int64, Double)]] = [:]
        for line in (Workspace.contents(of: path) ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let time = nanoseconds(fields[0]), time >= startNS, time <= endNS, let value = Double(fields[2]) else { continue }
            samples[String(fields[1]), default: []].append((time, value))
        }
        func rate(_ topic: String) -> Double? {
            guard let series = samples[topic], let first = series.first, let last = series.last, last.0 > first.0 else { return nil }
            return (last.1 - first.1) / (Double(last.0 - first.0) / 1e9)
        }
        return (rate("$SYS/broker/messages/received"), rate("$SYS/broker/publish/messages/sent"))
    }

    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "The fleet link: a 1,000,000-sample backlog drained to mosquitto next to mosquitto_pub, and a fleet of agents against one broker.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var drain: FleetDrainSection.Options
    @OptionGroup var simulation: FleetSimulationSection.Options

    func run() throws {
        try BenchSession.run([FleetDrainSection(options: drain), FleetSimulationSection(options: simulation)], options: common)
    }
}
