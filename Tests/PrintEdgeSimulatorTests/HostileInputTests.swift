import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// Whatever a host or a bad cable sends, the model answers without trapping.
@Suite struct HostileInputTests {
    @Test func absurdParametersAreAnsweredNotTrapped() {
        var rig = PrinterRig()
        let lines = [
            "G1 X999999999999999999999999999 F0.0000001", "G1 X-1e400 Y.", "G4 S99999999999999999999",
            "G4 P-5", "M104 S99999999999999", "M109 R-99999999999", "M110 N99999999999999999999",
            "M113 S-4", "M155 S9999999", "M220 S0", "G2 X1 Y1", "G3 R0 X5", "G2 I5 J5 X0 Y0",
            "T99999999999", "N", "N-", "*", "M", "G", "N99999999999999999999999 G1*0", "M117 \u{7F}\u{80}\u{FF}",
            String(repeating: "(", count: 300), "M0 S-1", "M0 P1",
        ]
        for line in lines { rig.send(line + "\n") }
        _ = rig.run(for: .seconds(10))
        rig.send("M108\nM410\nM105\n")
        let replies = rig.run(for: .seconds(1))
        #expect(!rig.printer.halted)
        #expect(replies.contains { $0.hasPrefix("ok T:") } || rig.printer.queuedCommandCount > 0)
    }

    @Test func randomBytesNeverTrap() {
        var rig = PrinterRig { $0.receiveBufferSize = 64; $0.commandSlots = 2; $0.plannerBlocks = 4 }
        var state: UInt64 = 0x1234_5678
        let alphabet = Array("NGMT0123456789 .-*;()\\\n\n\rXYZEFSPRIJ".utf8)
        for _ in 0..<400 {
            var chunk: [UInt8] = []
            for _ in 0..<100 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let pick = Int(state >> 33)
                chunk.append(pick % 8 == 0 ? UInt8(truncatingIfNeeded: pick >> 8) : alphabet[pick % alphabet.count])
            }
            rig.printer.hostWrote(chunk, at: rig.clock)
            _ = rig.run(for: .milliseconds(50))
            #expect(rig.printer.queuedCommandCount <= 2)
            #expect(rig.printer.receiveBufferCount <= 63)
            #expect(rig.printer.plannedMoveCount <= 3)
        }
    }
}
