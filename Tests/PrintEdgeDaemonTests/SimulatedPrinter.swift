import Foundation
import PrintEdgeTestSupport

/// The directory holding the built `printedge-sim` (next to the test bundle).
let productsDirectory: URL = {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // Swift Testing on Linux runs from `<bin>/printedgePackageTests.xctest`.
    if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("printedge-sim").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A `printedge-sim` the test runs: a virtual Marlin on a pty behind `link`, killed at the
/// latest when the test lets go of it.
final class SimulatedPrinter: Sendable {
    let link: String
    private let process: ChildProcess

    private init(link: String, process: ChildProcess) {
        self.link = link
        self.process = process
    }

    /// Starts the simulator and returns once it says it listens on its link.
    static func start(link: String, arguments: [String] = []) async throws -> SimulatedPrinter {
        let process = try ChildProcess(productsDirectory.appendingPathComponent("printedge-sim").path,
                                       ["--link", link, "--exit-with-parent"] + arguments)
        do {
            try await process.waitForOutput(containing: "listening on")
        } catch {
            throw TestFailure("printedge-sim did not start at \(link): \(error)")
        }
        return SimulatedPrinter(link: link, process: process)
    }

    /// Everything it printed.
    var text: String { process.output }

    /// When `--mark` text arrived from the host, in Unix nanoseconds, oldest first.
    var marks: [Int64] {
        text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "mark received at unix_ns=") else { return nil }
            return Int64(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// SIGKILL, and back once it has gone: the pty goes with the process, as a pulled cable
    /// takes the tty.
    func kill() async {
        await process.stop(with: SIGKILL)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
