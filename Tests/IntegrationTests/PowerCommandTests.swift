import Testing

/// `printedge power` against a real daemon. The relays themselves are tested in-process with
/// a recording GPIO chip (PrintEdgeDaemonTests): no machine here has one.
@Suite(.serialized) struct PowerCommandTests {
    @Test func withoutARelayPowerSaysWhatToWireAndExitsOne() async throws {
        let scratch = try Scratch()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        for verb in ["status", "on", "off"] {
            let result = try await daemon.cli(["power", verb])
            #expect(result.status == 1, "\(verb): \(result.standardOutput)")
            #expect(result.standardError == "printedge: no power relay is configured: this daemon has no [gpio] section (see hardware/gpio/WIRING.md)\n")
        }
        let unknown = try await daemon.cli(["power", "status", "--printer", "nope"])
        #expect(unknown.standardError.contains("no printer `nope`; this daemon has mk"))
        await daemon.terminate()
    }
}
