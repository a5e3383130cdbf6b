import PrintEdgeFixtures
import PrintEdgeSimulator
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeCore

/// The host protocol against the virtual Marlin, both on one virtual clock: thousands of
/// lines through noise, lost `ok`s and latency in milliseconds of CPU, deterministic per seed.
struct CoSimulation {
    var host: HostProtocol
    var firmware: VirtualMarlin
    var now = MonotonicInstant.zero
    private var partialReply: [UInt8] = []
    private(set) var events: [HostProtocol.Event] = []

    init(host configuration: HostProtocol.Configuration, firmware firmwareConfiguration: VirtualMarlinConfiguration) {
        host = HostProtocol(configuration: configuration)
        var quiet = firmwareConfiguration
        quiet.printsBannerAtStart = false
        firmware = VirtualMarlin(configuration: quiet, start: .zero)
    }

    /// Streams `commands` until the host stops; returns the commands the firmware executed.
    mutating func run(_ commands: [String], limit: Duration = .seconds(3600)) -> [String] {
        var executed: [String] = []
        var next = commands.makeIterator()
        var sourceLine = 0
        host.start(at: now)
        while !host.isTerminal {
            while host.wantsMoreLines {
                guard let command = next.next() else {
                    host.finishInput()
                    break
                }
                sourceLine += 1
                host.enqueue(GCodeLine(sourceLine: sourceLine, command))
            }
            while let transmission = host.nextTransmission(at: now) {
                firmware.hostWrote(transmission.bytes, at: now)
            }
            let wake = [firmware.nextEventInstant, host.nextDeadline].compactMap { $0 }.min()
            guard let wake, wake - .zero < limit else { break }
            now = max(now, wake)
            for byte in firmware.advance(to: now) {
                if byte == UInt8(ascii: "\n") {
                    let line = String(decoding: partialReply, as: UTF8.self)
                    partialReply.removeAll(keepingCapacity: true)
                    if let event = host.replyReceived(line[...], at: now) { events.append(event) }
                } else if byte != UInt8(ascii: "\r") {
                    partialReply.append(byte)
                }
            }
            if let event = host.clockAdvanced(to: now) { events.append(event) }
            executed += firmware.takeExecutionLog()
        }
        return executed + firmware.takeExecutionLog()
    }
}

/// Seconds of CPU per case (minutes on a busy machine): on threads of their own, so they
/// never hold the cooperative pool the tests waiting on daemons need.
@Suite(.onThreadOfItsOwn) struct CoSimulationTests {
    static let commands: [String] = SampleGCode.distinctMoves(count: 3000).compactMap {
        GCodeNormalizer.normalize(Array($0.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func firmware(seed: UInt64, advancedOK: Bool = false, _ configure: (inout VirtualMarlinConfiguration) -> Void = { _ in })
        -> VirtualMarlinConfiguration {
        var configuration = VirtualMarlinConfiguration()
        configuration.baudRate = 250_000
        configuration.speedup = 1000
        configuration.seed = seed
        configuration.advancedOK = advancedOK
        configure(&configuration)
        return configuration
    }

    @Test(arguments: FlowStrategy.allCases, 1...6)
    func everyLineRunsExactlyOnceThroughHeavyNoise(flow: FlowStrategy, seed: Int) {
        var configuration = HostProtocol.Configuration()
        configuration.flow = .fixed(flow)
        var simulation = CoSimulation(host: configuration, firmware: firmware(seed: UInt64(seed), advancedOK: flow == .advancedOK) {
            $0.receiveNoiseProbability = 1e-3
            $0.transmitNoiseProbability = 1e-3
        })
        let executed = simulation.run(Self.commands)
        #expect(simulation.host.status == .finished, "\(simulation.host.status) \(simulation.host.progress)")
        expectExact(executed, Self.commands)
        #expect(simulation.firmware.statistics.checksumErrors + simulation.firmware.statistics.lineNumberErrors > 0)
    }

    @Test(arguments: FlowStrategy.allCases)
    func lostOksNeverLoseOrRepeatALine(flow: FlowStrategy) {
        var configuration = HostProtocol.Configuration()
        configuration.flow = .fixed(flow)
        var simulation = CoSimulation(host: configuration, firmware: firmware(seed: 11, advancedOK: flow == .advancedOK) {
            $0.okDropProbability = 0.02
        })
        let executed = simulation.run(Self.commands)
        #expect(simulation.host.status == .finished)
        expectExact(executed, Self.commands)
    }

    @Test func usbLatencyAndNoiseTogether() {
        var configuration = HostProtocol.Configuration()
        configuration.flow = .fixed(.advancedOK)
        var simulation = CoSimulation(host: configuration, firmware: firmware(seed: 5, advancedOK: true) {
            $0.latency = .milliseconds(4)
            $0.receiveNoiseProbability = 5e-4
            $0.transmitNoiseProbability = 5e-4
            $0.okDropProbability = 0.005
        })
        let executed = simulation.run(Self.commands)
        #expect(simulation.host.status == .finished)
        expectExact(executed, Self.commands)
    }

    @Test(arguments: [FlowStrategy.window, .advancedOK])
    func aCleanLinkNeverOverrunsTheRxBuffer(flow: FlowStrategy) {
        var configuration = HostProtocol.Configuration()
        configuration.flow = .fixed(flow)
        var simulation = CoSimulation(host: configuration, firmware: firmware(seed: 1, advancedOK: flow == .advancedOK) {
            $0.speedup = 1  // real motion: the planner fills and the RX buffer is under pressure
        })
        let executed = simulation.run(Array(Self.commands.prefix(800)))
        #expect(simulation.host.status == .finished)
        expectExact(executed, Array(Self.commands.prefix(800)), noise: false)
        #expect(simulation.firmware.statistics.overrunBytes == 0)
        #expect(simulation.host.progress.retransmittedLines == 0)
    }

    @Test func aFirmwareResetMidStreamSendsNothingMore() {
        var simulation = CoSimulation(host: HostProtocol.Configuration(), firmware: firmware(seed: 3) {
            $0.resetAfterLines = 500
        })
        let executed = simulation.run(Self.commands).filter { !ExecutionComparison.housekeeping.contains($0) }
        #expect(simulation.host.status == .failed(.firmwareReset(lastAcknowledgedLine: simulation.host.progress.linesAcknowledged)))
        // The reset came after 500 numbered lines, a few of them the host's syncs.
        #expect(executed.count > 480 && executed.count < 500)
        expectExact(executed, Array(Self.commands.prefix(executed.count)), noise: false)
    }

    /// Every command ran exactly once, in order (see `ExecutionComparison` for the damage
    /// Marlin's checksum cannot see, which is tolerated only with noise and only rarely).
    private func expectExact(_ executed: [String], _ expected: [String], noise: Bool = true,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let comparison = ExecutionComparison(executed: executed, expected: expected)
        #expect(comparison.firstMismatch == nil, "\(comparison.firstMismatch ?? "")", sourceLocation: sourceLocation)
        let tolerated = noise ? comparison.expected / 100 : 0
        #expect(comparison.silentlyDamaged <= tolerated, "\(comparison.silentlyDamaged) silently damaged lines",
                sourceLocation: sourceLocation)
    }
}
