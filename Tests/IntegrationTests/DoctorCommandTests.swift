import Foundation
import PrintEdgeTestSupport
import Testing

/// `printedge doctor` as a person runs it, on this machine: every check answers, the exit
/// status is the worst finding's, and a configuration that does not load stops it with 78.
@Suite struct DoctorCommandTests {
    @Test func theDoctorRunsOnThisMachineAndExitsWithItsWorstFinding() async throws {
        let scratch = try TemporaryDirectory()
        let configuration = scratch.file("printedge.toml")
        let profiles = repositoryRoot.appendingPathComponent("hardware/profiles").path
        try """
            [daemon]
            state_directory = "\(scratch.file("state"))"
            profile_directories = ["\(profiles)"]

            [[printer]]
            id = "sim"
            virtual = true

            [[printer]]
            id = "ender"
            port = "/dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0-not-plugged-in"
            profile = "marlin-generic"
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let json = try await runPrintedge(["doctor", "--config", configuration, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any], "\(json.standardError)")
        #expect(report["schema"] as? Int == 1)
        let findings = try #require(report["findings"] as? [[String: Any]])
        let absent = try #require(findings.first { $0["check"] as? String == "device.access" && $0["subject"] as? String == "printer ender" })
        #expect(absent["level"] as? String == "warning")
        #expect((absent["fix"] as? String)?.isEmpty == false)
        let levels = findings.compactMap { $0["level"] as? String }
        #expect(levels.count == findings.count)
        let worst = levels.contains("problem") ? 2 : levels.contains("warning") ? 1 : 0
        #expect(json.status == Int32(worst), "\(levels)")

        let text = try await runPrintedge(["doctor", "--config", configuration])
        #expect(text.status == json.status)
        #expect(text.standardOutput.contains("warning  device.access"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("fix: plug the printer in"), "\(text.standardOutput)")

        try "[daemon]\nstate_dir = \"x\"\n".write(toFile: configuration, atomically: true, encoding: .utf8)
        let bad = try await runPrintedge(["doctor", "--config", configuration])
        #expect(bad.status == 78)
        #expect(bad.standardError.contains("printedge.toml:2"), "\(bad.standardError)")
    }
}
