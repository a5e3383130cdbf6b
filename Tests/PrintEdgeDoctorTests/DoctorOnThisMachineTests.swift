import PrintEdgeConfig
@testable import PrintEdgeDoctor
import Testing

/// The doctor on the machine running the tests, as it is: every check answers, none fails
/// on what it cannot know, and what does not apply says why.
@Suite struct DoctorOnThisMachineTests {
    @Test func everyCheckAnswersOnThisMachineWithItsReasons() async throws {
        let configuration = DaemonConfiguration(stateDirectory: "/tmp/printedge-doctor-test-state", printers: [])
        let findings = await Doctor(configuration: configuration, environment: .system).findings()
        for finding in findings {
            print("doctor here: \(finding.level.rawValue) \(finding.check) \(finding.subject ?? "-") \(finding.message)")
        }
        #expect(Set(findings.map(\.check)) == ["daemon.user", "device.access", "device.names", "device.holders", "device.autosuspend", "brltty",
                                              "modemmanager", "udev.rules", "power.throttling", "clock.sync", "storage.space", "storage.readonly",
                                              "storage.errors", "storage.ownership", "fleet.broker"])
        #expect(findings.allSatisfy { !$0.message.isEmpty })
        #expect(findings.allSatisfy { $0.level < .warning || $0.fix != nil }, "whatever is wrong comes with its fix")
        // No printer on a port, no [mqtt]: those checks cannot apply, and say so.
        for check in ["device.access", "device.holders", "device.autosuspend", "udev.rules", "fleet.broker"] {
            #expect(findings.first { $0.check == check }?.level == .notApplicable, "\(check)")
        }
    }
}
