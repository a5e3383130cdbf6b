import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// Pacing and latency on both directions of the wire.
@Suite struct WireTests {
    @Test func bytesArriveNoEarlierThanTheirBitTimes() {
        var rig = PrinterRig { $0.baudRate = 9600 }
        let line = "M117 " + String(repeating: "a", count: 94) + "\n"  // 100 bytes
        rig.send(line)
        let replies = rig.timedRun(for: .seconds(1))
        #expect(replies.map(\.line) == ["ok"])
        // 100 bytes in, then "ok\n" out: 103 byte times at 960 bytes/s, rounded up per burst.
        let expected = byteNanoseconds(100, baud: 9600) + byteNanoseconds(3, baud: 9600)
        #expect(replies.first?.at == MonotonicInstant(nanoseconds: expected))
        #expect(expected >= 103 * 10 * 1_000_000_000 / 9600)
    }

    @Test func nothingArrivesOneNanosecondEarly() {
        var rig = PrinterRig { $0.baudRate = 9600 }
        rig.send("G90\n")
        let due = byteNanoseconds(4, baud: 9600) + byteNanoseconds(3, baud: 9600)
        #expect(rig.run(for: .nanoseconds(due - 1)).isEmpty)
        #expect(rig.run(for: .nanoseconds(1)) == ["ok"])
    }

    @Test func latencyIsAddedInEachDirection() {
        var rig = PrinterRig { $0.latency = .milliseconds(5) }
        rig.send("G90\n")
        let replies = rig.timedRun(for: .seconds(1))
        let expected = 10_000_000 + byteNanoseconds(4, baud: 115_200) + byteNanoseconds(3, baud: 115_200)
        #expect(replies.first?.at == MonotonicInstant(nanoseconds: expected))
    }

    @Test func writesBackToBackQueueOnTheWire() {
        var rig = PrinterRig { $0.baudRate = 9600 }
        rig.send("G90\n")
        rig.send("G90\n")
        let replies = rig.timedRun(for: .seconds(1))
        let secondArrives = byteNanoseconds(8, baud: 9600)
        // The first ok leaves at 4 byte times; the second cannot start before it is out.
        #expect(replies.map(\.at) == [
            MonotonicInstant(nanoseconds: byteNanoseconds(4, baud: 9600) + byteNanoseconds(3, baud: 9600)),
            MonotonicInstant(nanoseconds: secondArrives + byteNanoseconds(3, baud: 9600)),
        ])
    }

    @Test func statisticsCountBothDirections() {
        var rig = PrinterRig()
        rig.send("G90\nG91\n")
        _ = rig.run(for: .seconds(1))
        let statistics = rig.printer.statistics
        #expect(statistics.bytesReceived == 8)
        #expect(statistics.bytesSent == 6)
        #expect(statistics.elapsedSeconds == 1)
    }

    @Test func statisticsJSONHasEveryKey() {
        let json = SimulatorStatistics().json
        for key in [
            "lines_executed", "bytes_received", "overrun_bytes", "checksum_errors", "line_number_errors",
            "no_checksum_errors", "resends_requested", "planner_starved_s", "drained_bytes", "fragments",
            "fragments_executable", "oks_dropped", "rx_bits_flipped", "tx_bits_flipped", "unnumbered_commands",
            "unknown_commands", "resets", "halted", "bytes_sent", "elapsed_s",
        ] {
            #expect(json.contains("\"\(key)\": "))
        }
        #expect(json.hasPrefix("{") && json.hasSuffix("}\n"))
    }
}
