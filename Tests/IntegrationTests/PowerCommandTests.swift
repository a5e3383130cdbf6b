import PrintEdgeTestSupport
import Testing

/// `printedge power` against a real daemon. The relays themselves are tested in-process with
/// a recording GPIO chip (PrintEdgeDaemonTests): no machine here has one.
@Suite(.serialized) struct PowerCommandTests {
    @Test func withoutARelayPowerSaysWhatToWireAndExitsWithTheConfigurationStatus() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        for verb in ["status", "on", "off"] {
            let result = try await daemon.cli(["power", verb])
            #expect(result.status == 78, "\(verb): \(result.standardOutput)")
            #expect(result.standardError == "printedge: no power relay is configured: this daemon has no [gpio] section (see hardware/gpio/WIRING.md)\n")
        }
        let unknown = try await daemon.cli(["power", "status", "--printer", "nope"])
        #expect(unknown.standardError.contains("no printer `nope`; this daemon has mk"))
        #expect(unknown.status == 67)
        await daemon.terminate()
    }
}
