import Foundation
import Testing

/// The directory holding the built `printedge` and `printedge-sim` (next to the test bundle).
let productsDirectory: URL = {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // Swift Testing on Linux runs from `<bin>/printedgePackageTests.xctest`.
    if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("printedge-sim").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}()

/// A scratch directory removed when the test ends.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("printedge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

struct ProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
    var reason: Process.TerminationReason
}

/// A running `printedge-sim`, stopped (SIGTERM, so it writes its stats) when done.
final class Simulator {
    let process = Process()
    let link: String
    let statsPath: String
    let execLogPath: String
    private let stdout = Pipe()
    private let stderr = Pipe()

    init(in scratch: Scratch, arguments: [String] = []) throws {
        link = scratch.path("printer")
        statsPath = scratch.path("sim-stats.json")
        execLogPath = scratch.path("exec.log")
        process.executableURL = productsDirectory.appendingPathComponent("printedge-sim")
        process.arguments = ["--link", link, "--stats", statsPath, "--exec-log", execLogPath] + arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Ready once it says so on standard output.
        let ready = stdout.fileHandleForReading.availableData
        guard !ready.isEmpty, FileManager.default.fileExists(atPath: link) else {
            let error = String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
            throw SimulatorError(description: "printedge-sim did not start: \(error)")
        }
    }

    /// SIGTERM and wait: the simulator flushes its execution log and statistics.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        kill()
    }

    func statistics() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: statsPath))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func executedCommands() throws -> [String] {
        let text = try String(contentsOfFile: execLogPath, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

struct SimulatorError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `printedge` to completion (killed after `limit`, which fails the test). Waits with
/// `Task.sleep`: a whole `printedge stream` must not hold a thread of the cooperative pool,
/// which the in-process daemon tests of other suites need (two threads on two cores).
func runPrintedge(_ arguments: [String], limit: Duration = .seconds(300), environment: [String: String] = [:],
                  whileRunning: ((Process) async -> Void)? = nil) async throws -> ProcessResult {
    try await runProduct("printedge", arguments, limit: limit, environment: environment, whileRunning: whileRunning)
}

/// Runs the built executable `product` (`printedge`, `printedged`) to completion, as
/// `runPrintedge` does; `environment` is added to the test's own.
func runProduct(_ product: String, _ arguments: [String], limit: Duration = .seconds(300), environment: [String: String] = [:],
                whileRunning: ((Process) async -> Void)? = nil) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent(product)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    let collected = Collected()
    stdout.fileHandleForReading.readabilityHandler = { collected.appendOut($0.availableData) }
    stderr.fileHandleForReading.readabilityHandler = { collected.appendErr($0.availableData) }
    try process.run()
    await whileRunning?(process)
    if await !waitForExit(of: process, limit: limit) {
        Issue.record("\(product) \(arguments.joined(separator: " ")) still running after \(limit)")
    }
    stdout.fileHandleForReading.readabilityHandler = nil
    stderr.fileHandleForReading.readabilityHandler = nil
    collected.appendOut(stdout.fileHandleForReading.readDataToEndOfFile())
    collected.appendErr(stderr.fileHandleForReading.readDataToEndOfFile())
    return ProcessResult(status: process.terminationStatus, standardOutput: collected.out,
                         standardError: collected.err, reason: process.terminationReason)
}

/// Polls every 50 ms with `Task.sleep` until `process` exits (`waitUntilExit` would hold the
/// thread for as long as the child runs). Past `limit` (a hang guard), or when the task is
/// cancelled, the child gets SIGTERM and the result is false; either way it is reaped.
func waitForExit(of process: Process, limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while process.isRunning, ContinuousClock.now < deadline {
        do {
            try await Task.sleep(for: .milliseconds(50))
        } catch {
            break
        }
    }
    let exited = !process.isRunning
    if !exited {
        process.terminate()
    }
    process.waitUntilExit()
    return exited
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()

    func appendOut(_ data: Data) { lock.withLock { outData.append(data) } }
    func appendErr(_ data: Data) { lock.withLock { errData.append(data) } }
    var out: String { lock.withLock { String(decoding: outData, as: UTF8.self) } }
    var err: String { lock.withLock { String(decoding: errData, as: UTF8.self) } }
}

/// The commands of a G-code file as the host sends them (comments and blanks removed).
func normalisedCommands(ofFile path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
        GCodeNormalizerBridge.normalize(String(line))
    }
}

func jsonObject(_ text: String) throws -> [String: Any] {
    let line = text.split(separator: "\n").last.map(String.init) ?? ""
    return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
}
