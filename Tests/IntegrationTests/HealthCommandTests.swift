import Foundation
import PrintEdgeTestSupport
import Testing

/// `printedge health` through the real binaries: its verdict, its exit status as monitoring
/// expects it, and a daemon that does not answer counted as failed.
@Suite struct HealthCommandTests {
    @Test func aDownFleetLinkIsDegradedAndAStoppedDaemonFailed() async throws {
        let scratch = try TemporaryDirectory()
        // Nothing listens there: the fleet link stays down.
        let configuration = """

            [mqtt]
            host = "127.0.0.1"
            port = \(try freePort())
            fleet = "farm"
            keepalive_s = 5

            """
        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], configuration: configuration)
        let text = try await daemon.cli(["health"])
        #expect(text.status == 1, "\(text.standardOutput)\(text.standardError)")
        #expect(text.standardOutput.hasPrefix("degraded: fleet: "), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("\n  printer sim  ready     idle\n"), "\(text.standardOutput)")

        let json = try await daemon.cli(["health", "--json"])
        #expect(json.status == 1)
        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(verdict["level"] as? String == "degraded")
        #expect(verdict["at"] is String, "snake_case keys: \(verdict.keys.sorted())")
        let checks = try #require(verdict["checks"] as? [[String: Any]])
        #expect(checks.compactMap { $0["component"] as? String } == ["database", "disk", "printer", "fleet"])
        #expect(checks.last?["level"] as? String == "degraded")

        await daemon.terminate()
        let stopped = try await daemon.cli(["health"])
        #expect(stopped.status == 2, "\(stopped.standardOutput)\(stopped.standardError)")
        #expect(stopped.standardOutput.hasPrefix("failed: daemon: printedged is not running"), "\(stopped.standardOutput)")
    }
}
