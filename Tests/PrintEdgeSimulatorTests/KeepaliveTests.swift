import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// `host_keepalive()` while a command blocks, and the reports of a heating wait.
@Suite struct KeepaliveTests {
    /// Instants in seconds since `start`, rounded to milliseconds.
    private func seconds(_ replies: [(at: MonotonicInstant, line: String)], from start: MonotonicInstant) -> [Double] {
        replies.map { (($0.at - start).seconds * 1000).rounded() / 1000 }
    }

    @Test func busyEveryTwoSecondsDuringAHomeThatTakesSeven() {
        var rig = PrinterRig { $0.homingDuration = .seconds(7) }
        rig.send("G28\n")
        let replies = rig.timedRun(for: .seconds(8))
        #expect(replies.map(\.line) == ["echo:busy: processing", "echo:busy: processing", "echo:busy: processing", "ok"])
        let arrived = MonotonicInstant(nanoseconds: byteNanoseconds(4, baud: 115_200))
        #expect(seconds(replies, from: arrived) == [2.002, 4.002, 6.002, 7.0])
    }

    @Test func threeSecondHomeSendsOneBusy() {
        var rig = PrinterRig { $0.homingDuration = .seconds(3) }
        rig.send("G28\n")
        #expect(rig.run(for: .seconds(4)) == ["echo:busy: processing", "ok"])
    }

    @Test func noBusyForAWaitShorterThanTheInterval() {
        var rig = PrinterRig()
        rig.send("G4 P1999\n")
        #expect(rig.run(for: .seconds(3)) == ["ok"])
    }

    @Test func m113SetsTheIntervalAndS0Silences() {
        var rig = PrinterRig { $0.homingDuration = .seconds(3) }
        rig.send("M113 S1\nG28\n")
        #expect(rig.run(for: .seconds(4)) == ["ok", "echo:busy: processing", "echo:busy: processing", "ok"])
        rig.send("M113\nM113 S0\nG28\n")
        #expect(rig.run(for: .seconds(4)) == ["echo:M113 S1", "ok", "ok", "ok"])
    }

    @Test func busyWhileAMoveWaitsLongForThePlanner() {
        var rig = PrinterRig { $0.plannerBlocks = 2 }
        rig.send("G1 X50 F600\nG1 X0\n")
        // The second move waits 5 s for the only slot.
        #expect(rig.run(for: .seconds(6)) == ["ok", "echo:busy: processing", "echo:busy: processing", "ok"])
    }

    @Test func heatingWaitReportsTemperaturesEverySecondWithoutBusy() {
        var rig = PrinterRig { $0.hotendTimeConstant = .seconds(1) }
        rig.send("M109 S200\n")
        let replies = rig.timedRun(for: .seconds(10))
        let lines = replies.map(\.line)
        // 175 °C to cover, within 1 °C after ln(175) ≈ 5.16 time constants.
        #expect(lines.last == "ok")
        #expect(lines.dropLast().count == 6)
        #expect(!lines.contains("echo:busy: processing"))
        #expect(lines.first == " T:25.00 /200.00 B:25.00 /0.00 @:127 B@:0 W:?")
        for line in lines.dropLast() {
            #expect(line.hasPrefix(" T:") && line.hasSuffix(" W:?"))
        }
        let arrived = MonotonicInstant(nanoseconds: byteNanoseconds(10, baud: 115_200))
        let instants = seconds(replies, from: arrived)
        let reportLine = byteNanoseconds(47, baud: 115_200)
        var expected: [Double] = []
        for second in 0..<6 {
            let nanoseconds = Int64(second) * 1_000_000_000 + reportLine
            expected.append((Double(nanoseconds) / 1e6).rounded() / 1000)
        }
        #expect(Array(instants.dropLast()) == expected)
        #expect(instants.last.map { $0 > 5.16 && $0 < 5.17 } == true)
        #expect(rig.printer.temperaturesCelsius.hotend >= 199)
    }

    @Test func heatingWaitWithSDoesNotWaitToCool() {
        var rig = PrinterRig { $0.hotendTimeConstant = .seconds(1) }
        rig.send("M109 S50\n")
        _ = rig.run(for: .seconds(10))
        rig.send("M109 S30\n")
        #expect(rig.run(for: .milliseconds(50)) == ["ok"])
    }

    @Test func m108EndsAHeatingWaitAtOnce() {
        var rig = PrinterRig()
        rig.send("M109 S200\n")
        _ = rig.run(for: .milliseconds(2500))
        rig.send("M108\n")
        let lines = rig.run(for: .milliseconds(50))
        // The wait's ok, then the queued M108's own.
        #expect(lines == ["ok", "ok"])
        #expect(rig.printer.statistics.unnumberedCommands == 2)
    }

    @Test func m155AutoreportsOnItsOwnTimer() {
        var rig = PrinterRig()
        rig.send("M155 S2\n")
        let lines = rig.run(for: .seconds(5))
        #expect(lines == ["ok", " T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0", " T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"])
        rig.send("M155 S0\n")
        #expect(rig.run(for: .seconds(5)) == ["ok"])
    }

    @Test func pauseWaitsForM108WithPausedForUser() {
        var rig = PrinterRig()
        rig.send("M0\n")
        #expect(rig.run(for: .seconds(5)) == ["echo:busy: paused for user", "echo:busy: paused for user"])
        rig.send("M108\n")
        #expect(rig.run(for: .seconds(1)) == ["ok", "ok"])
    }
}
