import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// Halts, resets, dropped oks and line noise: the faults a host must survive.
@Suite struct FaultInjectionTests {
    @Test func m112HaltsEvenWhenTheRingIsFull() {
        var rig = PrinterRig()
        rig.send("G28\n")
        _ = rig.run(for: .milliseconds(10))
        rig.send(String(repeating: "M105\n", count: 40) + "M112\n")
        let lines = rig.run(for: .seconds(5))
        #expect(lines == ["Error:Printer halted. kill() called!"])
        #expect(rig.printer.statistics.overrunBytes > 0)
        #expect(rig.printer.halted)
        #expect(rig.printer.statistics.halted)
        rig.send("M105\n")
        #expect(rig.run(for: .seconds(5)).isEmpty)
        #expect(rig.printer.nextEventInstant == nil)
    }

    @Test func numberedM112WithChecksumHaltsToo() {
        var rig = PrinterRig()
        rig.sendNumbered(1, "M112")
        #expect(rig.run(for: .seconds(1)) == ["Error:Printer halted. kill() called!"])
    }

    @Test func resetAfterLinesStartsOverWithTheBanner() {
        var rig = PrinterRig { $0.resetAfterLines = 3 }
        for number in 1...5 { rig.sendNumbered(number, "G90") }
        let lines = rig.run(for: .seconds(1))
        #expect(Array(lines.prefix(4)) == ["ok", "ok", "ok", "start"])
        #expect(lines.contains("echo:Marlin 2.1.2.5"))
        // N4 and N5 reach a firmware that expects N1.
        #expect(lines.contains("Error:Line Number is not Last Line Number+1, Last Line: 0"))
        #expect(rig.printer.statistics.resets == 1)
        #expect(rig.printer.lastLineNumber == 0)
        rig.sendNumbered(1, "G90")
        #expect(rig.run(for: .seconds(1)) == ["ok"])
        for number in 2...10 { rig.sendNumbered(number, "G90") }
        #expect(rig.run(for: .seconds(1)).allSatisfy { $0 == "ok" })
        #expect(rig.printer.statistics.resets == 1)
    }

    @Test func bannerComesFirstAtPowerUp() {
        var rig = PrinterRig(banner: true)
        let lines = rig.run(for: .seconds(1))
        #expect(lines.first == "start")
        #expect(lines.count == 6)
    }

    /// The same stream through a printer with the given faults.
    private func replies(seed: UInt64, _ configure: (inout VirtualMarlinConfiguration) -> Void) -> (String, SimulatorStatistics) {
        var rig = PrinterRig {
            $0.seed = seed
            configure(&$0)
        }
        // One short line every 10 ms: well inside the wire's rate, so any error is noise.
        var lines: [String] = []
        for number in 1...200 {
            rig.sendNumbered(number, "G92 E\(number)")
            lines += rig.run(for: .milliseconds(10))
        }
        lines += rig.run(for: .seconds(1))
        return (lines.joined(separator: "\n"), rig.printer.statistics)
    }

    @Test func droppedOksAreReproducibleForASeed() {
        let first = replies(seed: 42) { $0.okDropProbability = 0.3 }
        let second = replies(seed: 42) { $0.okDropProbability = 0.3 }
        let other = replies(seed: 43) { $0.okDropProbability = 0.3 }
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.1.oksDropped > 20 && first.1.oksDropped < 120)
        #expect(first.1.oksDropped + first.0.split(separator: "\n").count == 200)
        #expect(first.0 != other.0)
    }

    @Test func receiveNoiseIsReproducibleForASeedAndCaughtByChecksums() {
        let first = replies(seed: 7) { $0.receiveNoiseProbability = 0.01 }
        let second = replies(seed: 7) { $0.receiveNoiseProbability = 0.01 }
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.1.rxBitsFlipped > 0)
        let errors = first.1.checksumErrors + first.1.lineNumberErrors + first.1.noChecksumErrors
        #expect(errors > 0)
    }

    @Test func transmitNoiseIsReproducibleForASeed() {
        let first = replies(seed: 9) { $0.transmitNoiseProbability = 0.05 }
        let second = replies(seed: 9) { $0.transmitNoiseProbability = 0.05 }
        let clean = replies(seed: 9) { _ in }
        #expect(first.0 == second.0)
        #expect(first.1.txBitsFlipped > 0)
        #expect(first.0 != clean.0)
        #expect(first.1.bytesSent == clean.1.bytesSent)
    }

    @Test func m410EmptiesThePlannerOnArrival() {
        var rig = PrinterRig()
        rig.send("G1 X100 F600\nG1 X0\nG1 X100\n")
        _ = rig.run(for: .seconds(1))
        #expect(rig.printer.plannedMoveCount == 3)
        rig.send("M410\n")
        #expect(rig.run(for: .milliseconds(10)) == ["ok"])
        #expect(rig.printer.plannedMoveCount == 0)
        rig.send("M114\n")
        let position = rig.run(for: .milliseconds(10)).first ?? ""
        #expect(position.hasPrefix("X:10.") || position.hasPrefix("X:9.9"))
    }
}
