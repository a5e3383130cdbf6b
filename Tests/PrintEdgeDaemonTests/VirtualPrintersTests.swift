import Foundation
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import Testing

/// The simulators behind `virtual = true` printers, as the daemon starts them.
@Suite struct VirtualPrintersTests {
    private static let twoPrinters = """
        [[printer]]
        id = "left"
        virtual = true

        [[printer]]
        id = "right"
        virtual = true
        """

    /// A descriptor the simulator inherited would live as long as it does: the daemon's
    /// database, its control socket, or — in a test process — another test's pipe, whose
    /// reader would then wait for end-of-file as long as the simulator runs.
    @Test func aSimulatorHoldsNoneOfTheDaemonsDescriptors() async throws {
        let scratch = try TemporaryDirectory()
        let pipe = Pipe()  // not close-on-exec, as Foundation makes them
        try await DaemonUnderTest.with(in: scratch, configuration: Self.twoPrinters) { daemon in
            // This process's pipes, sockets and database: the test's pipe and the daemon's own.
            let ours = Set(Self.descriptors(of: getpid()).values.filter { $0.hasPrefix("pipe:") || $0.hasPrefix("socket:") || $0.contains(".sqlite") })
            #expect(ours.contains(Self.descriptors(of: getpid())[pipe.fileHandleForWriting.fileDescriptor] ?? "?"))
            let simulators = daemon.daemon.services.compactMap { $0 as? VirtualPrinters }.flatMap(\.launched)
            try #require(simulators.count == 2)
            for simulator in simulators {
                let inherited = Self.descriptors(of: simulator.pid).filter { $0.key > 2 && ours.contains($0.value) }
                #expect(inherited.isEmpty, "printedge-sim for \(simulator.printerID) holds the daemon's \(inherited)")
            }
        }
    }

    /// Descriptor → what it is (`pipe:[…]`, `socket:[…]`, a path).
    private static func descriptors(of pid: pid_t) -> [Int32: String] {
        let directory = "/proc/\(pid)/fd"
        var result: [Int32: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            if let descriptor = Int32(name), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)") {
                result[descriptor] = target
            }
        }
        return result
    }

    @Test func eachStartUpStepIsLoggedAtDebugLevelWithItsDuration() async throws {
        let scratch = try TemporaryDirectory()
        try await DaemonUnderTest.with(in: scratch, configuration: Self.twoPrinters, logLevel: .debug) { daemon in
            for step in ["database opened in ", "2 printer(s) recorded in ", "control socket listening at ",
                         "printedge-sim for printer left had its link after ", "printedge-sim for printer right had its link after ",
                         "2 virtual printer(s) started in "] {
                #expect(daemon.log.contains("debug start-up: \(step)"), "\(daemon.log.text)")
            }
        }
    }
}
