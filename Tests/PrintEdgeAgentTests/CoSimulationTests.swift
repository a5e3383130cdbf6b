import PrintEdgeAgent
import PrintEdgeCore
import PrintEdgeFixtures
import PrintEdgeSimulator
import PrintEdgeTestSupport
import Testing

/// The link loop against the virtual Marlin, both on one virtual clock: thousands of lines
/// through noise, lost `ok`s and latency in milliseconds of CPU, deterministic per seed.
///
/// Seconds of CPU per case (minutes on a busy machine): on threads of their own, so they
/// never hold the cooperative pool the tests waiting on daemons need.
@Suite(.onThreadOfItsOwn) struct CoSimulationTests {
    /// One command a line, as the firmware logs them.
    static let commands = PrinterConnectionTests.normalised(SampleGCode.distinctMoves(count: 3000))

    /// `printedge stream` with `flow` over a printer built by `configure`; its link has ended.
    private func stream(_ commands: [String] = Self.commands, flow: FlowStrategy = .window, seed: UInt64,
                        _ configure: (inout VirtualMarlinConfiguration) -> Void = { _ in })
        throws -> (VirtualLinkRun, PrinterConnection.Ending) {
        let firmware = VirtualLinkRun.firmware(seed: seed) {
            $0.advancedOK = flow == .advancedOK
            configure(&$0)
        }
        let run = try VirtualLinkRun(job: commands, firmware: firmware, configure: { $0.protocolConfiguration.flow = .fixed(flow) })
        return (run, run.run())
    }

    @Test(arguments: FlowStrategy.allCases, 1...6)
    func everyLineRunsExactlyOnceThroughHeavyNoise(flow: FlowStrategy, seed: Int) throws {
        let (run, ending) = try stream(flow: flow, seed: UInt64(seed)) {
            $0.receiveNoiseProbability = 1e-3
            $0.transmitNoiseProbability = 1e-3
        }
        #expect(ending == .closed, "\(ending) \(String(describing: run.linkProgress))")
        #expect(run.jobEnd?.end == .completed)
        expectExact(run.executed, Self.commands)
        let statistics = run.transport.printer.statistics
        #expect(statistics.checksumErrors + statistics.lineNumberErrors > 0)
    }

    @Test(arguments: FlowStrategy.allCases)
    func lostOksNeverLoseOrRepeatALine(flow: FlowStrategy) throws {
        let (run, ending) = try stream(flow: flow, seed: 11) { $0.okDropProbability = 0.02 }
        #expect(ending == .closed)
        #expect(run.jobEnd?.end == .completed)
        expectExact(run.executed, Self.commands)
    }

    @Test func usbLatencyAndNoiseTogether() throws {
        let (run, ending) = try stream(flow: .advancedOK, seed: 5) {
            $0.latency = .milliseconds(4)
            $0.receiveNoiseProbability = 5e-4
            $0.transmitNoiseProbability = 5e-4
            $0.okDropProbability = 0.005
        }
        #expect(ending == .closed)
        #expect(run.jobEnd?.end == .completed)
        expectExact(run.executed, Self.commands)
    }

    @Test(arguments: [FlowStrategy.window, .advancedOK])
    func aCleanLinkNeverOverrunsTheRxBuffer(flow: FlowStrategy) throws {
        let commands = Array(Self.commands.prefix(800))
        let (run, ending) = try stream(commands, flow: flow, seed: 1) {
            $0.speedup = 1  // real motion: the planner fills and the RX buffer is under pressure
        }
        #expect(ending == .closed)
        #expect(run.jobEnd?.end == .completed)
        expectExact(run.executed, commands, noise: false)
        #expect(run.transport.printer.statistics.overrunBytes == 0)
        #expect(run.linkProgress?.retransmittedLines == 0)
    }

    /// Marlin sets its line counter again when `M110` runs, forgetting any numbered line that
    /// arrived meanwhile. A board whose `start` banner reaches the host after its hello (still
    /// booting when the port opened) makes the host say hello twice, and the second hello's
    /// `M110` runs after the confirmation's `N1 M105` arrived: before the handshake renumbered
    /// alone, the first file line drew `Resend: 1` at every rate here. The plain handshake on
    /// a link as fast as native USB is the remaining case.
    @Test(arguments: [(115_200, true), (250_000, true), (12_000_000, false), (12_000_000, true)])
    func anM110ThatRunsLateNeverCostsTheJobItsFirstLine(baudRate: Int, bannerAfterHello: Bool) throws {
        let commands = Array(Self.commands.prefix(200))
        let firmware = VirtualLinkRun.firmware(baudRate: baudRate) { $0.printsBannerAtStart = bannerAfterHello }
        let run = try VirtualLinkRun(job: commands, firmware: firmware)
        let ending = run.run()
        #expect(ending == .closed, "\(ending)")
        #expect(run.jobEnd?.end == .completed, "\(String(describing: run.jobEnd))")
        expectExact(run.executed, commands, noise: false)
        #expect(run.transport.printer.statistics.lineNumberErrors == 0)
        #expect(run.linkProgress?.retransmittedLines == 0)
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
