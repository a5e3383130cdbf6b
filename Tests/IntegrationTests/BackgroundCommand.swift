import Foundation
import PrintEdgeTestSupport
import Testing

/// A `printedge` left running while the test acts (a `jobs follow`, a `watch`): its output is
/// read as it comes, so a test sees what a pipe reader sees before the command ends.
final class BackgroundCommand {
    let child: ChildProcess

    init(_ arguments: [String]) throws {
        child = try ChildProcess(productsDirectory.appendingPathComponent("printedge").path, arguments)
    }

    var isRunning: Bool { !child.exit.hasExited }

    /// Complete lines read so far.
    var lines: [String] {
        let text = child.output
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Waits (a hang guard, not a timing expectation) until a line satisfies `condition`.
    @discardableResult
    func waitForLine(_ what: String, limit: Duration = .seconds(120), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let line = lines.first(where: condition) { return line }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no line showed \(what): \(lines)")
        throw SimulatorError(description: "gave up waiting for \(what)")
    }

    /// Waits for the command to end; its exit status.
    func finish() async -> Int32 {
        await child.exit.wait().status
    }
}
