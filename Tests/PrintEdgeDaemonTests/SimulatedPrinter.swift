import Foundation
import Synchronization

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
    private let process: Process
    private let output = Mutex("")

    private init(link: String, process: Process) {
        self.link = link
        self.process = process
    }

    /// Starts the simulator and returns once its link exists.
    static func start(link: String, arguments: [String] = []) async throws -> SimulatedPrinter {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("printedge-sim")
        process.arguments = ["--link", link, "--exit-with-parent"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let printer = SimulatedPrinter(link: link, process: process)
        pipe.fileHandleForReading.readabilityHandler = { [printer] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            printer.output.withLock { $0 += text }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while !FileManager.default.fileExists(atPath: link) || !printer.text.contains("listening on") {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw TestFailure("printedge-sim did not start at \(link): \(printer.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return printer
    }

    /// Everything it printed.
    var text: String { output.withLock { $0 } }

    /// When `--mark` text arrived from the host, in Unix nanoseconds, oldest first.
    var marks: [Int64] {
        text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "mark received at unix_ns=") else { return nil }
            return Int64(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// SIGKILL: the pty goes with the process, as a pulled cable takes the tty.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        kill()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A scratch directory removed when the test lets go of it.
final class Scratch: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("printedge-daemon-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func path(_ name: String) -> String { "\(path)/\(name)" }
}
