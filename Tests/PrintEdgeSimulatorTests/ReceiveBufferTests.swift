import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// The RX ring: overruns while the main loop is blocked, drains after line errors, and the
/// fragments a drain leaves behind.
@Suite struct ReceiveBufferTests {
    @Test func bytesBeyondTheRingAreLostWhileAHandlerBlocks() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        // 200 bytes arrive during G28; the main loop reads nothing, the ring holds 127.
        rig.send(String(repeating: "G4 P0\n", count: 33) + "G4")
        _ = rig.run(for: .milliseconds(100))
        #expect(rig.printer.receiveBufferCount == 127)
        #expect(rig.printer.statistics.overrunBytes == 200 - 127)
    }

    @Test func bytesAreLostWhenTheQueueIsFullBehindAFullPlanner() {
        var rig = PrinterRig { $0.plannerBlocks = 2; $0.commandSlots = 2 }
        // One planner block; the second move waits for it, so the main loop stops reading.
        rig.send("G1 X100 F600\nG1 X0\nG1 X100\n")
        _ = rig.run(for: .milliseconds(100))
        rig.send(String(repeating: "M105\n", count: 40))
        _ = rig.run(for: .seconds(1))
        // "G1 X100\n" already waits in the ring.
        #expect(rig.printer.statistics.overrunBytes == 200 - (127 - 8))
    }

    @Test func aLineErrorDrainsEverythingInTheRing() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        let bad = "N1 G1 X1*0\n"
        let good2 = framed(2, "G1 X2")
        let good3 = framed(3, "G1 X3")
        rig.send(bad + good2 + good3)
        #expect(rig.run(for: .seconds(4)) == ["ok", "Error:checksum mismatch, Last Line: 0", "Resend: 1", "ok"])
        let statistics = rig.printer.statistics
        #expect(statistics.drainedBytes == good2.utf8.count + good3.utf8.count)
        #expect(statistics.fragments == 0)
    }

    @Test func theTailOfALineCutByADrainIsAnsweredAsUnknownNeverExecuted() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        // The drain takes "N1 …" and the head "N2 " of the next line; its tail arrives later.
        rig.send("N1 G1 X1*0\nN2 ")
        _ = rig.run(for: .seconds(4))
        rig.send("G1 X50*99\n")
        #expect(rig.run(for: .seconds(1)) == ["echo:Unknown command: \"G1 X50\"", "ok"])
        let statistics = rig.printer.statistics
        #expect(statistics.fragments == 1)
        #expect(statistics.fragmentsExecutable == 1)
        #expect(statistics.drainedBytes == 3)
        #expect(rig.printer.plannedMoveCount == 0)
        #expect(rig.printer.takeExecutionLog() == [])
    }

    @Test func aFragmentThatCannotExecuteIsCountedApart() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        rig.send("N1 G1 X1*0\nN2 G1 X")
        _ = rig.run(for: .seconds(4))
        rig.send("50*99\n")
        #expect(rig.run(for: .seconds(1)) == ["echo:Unknown command: \"50\"", "ok"])
        #expect(rig.printer.statistics.fragments == 1)
        #expect(rig.printer.statistics.fragmentsExecutable == 0)
    }

    @Test func theLineAfterAFragmentIsNormalAgain() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        rig.send("N1 G1 X1*0\nN2 G1")
        _ = rig.run(for: .seconds(4))
        rig.send(" X2*5\n" + framed(1, "G1 X1"))
        #expect(rig.run(for: .seconds(1)) == ["echo:Unknown command: \"X2\"", "ok", "ok"])
        #expect(rig.printer.statistics.fragments == 1)
    }

    @Test func emptyTailIsNotAFragment() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        rig.send("N1 G1 X1*0\nN2 G1 X2*5")
        _ = rig.run(for: .seconds(4))
        rig.send("\n" + framed(1, "G1 X1"))
        #expect(rig.run(for: .seconds(1)) == ["ok"])
        #expect(rig.printer.statistics.fragments == 0)
    }

    @Test func anUnbufferedUARTDrainsWhatArrivesWhileTheErrorIsPrinted() {
        // TX_BUFFER_SIZE 0 (AVR): printing the 38-byte error line blocks the firmware for
        // 37 byte times, so the line right behind the bad one is in the ring by the drain.
        var rig = PrinterRig { $0.transmitBufferSize = 0 }
        let good = framed(1, "G90")
        rig.send("N1 G90*0\n" + good)
        #expect(rig.run(for: .seconds(1)) == ["Error:checksum mismatch, Last Line: 0", "Resend: 1", "ok"])
        #expect(rig.printer.statistics.drainedBytes == good.utf8.count)
        #expect(rig.printer.statistics.linesExecuted == 0)
    }

    @Test func aBufferedUARTDrainsAtOnceAndTheNextLineSurvives() {
        var rig = PrinterRig { $0.transmitBufferSize = 64 }
        rig.send("N1 G90*0\n" + framed(1, "G90"))
        #expect(rig.run(for: .seconds(1)) == ["Error:checksum mismatch, Last Line: 0", "Resend: 1", "ok", "ok"])
        #expect(rig.printer.statistics.drainedBytes == 0)
        #expect(rig.printer.statistics.linesExecuted == 1)
    }
}
