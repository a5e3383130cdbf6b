import Glibc
import PrintEdgeControl
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

extension HardwareInTheDaemon {
    /// The power relay in the daemon: a printer found by its match, whose board (a
    /// simulator in the fake sysfs tree) the test plugs in when the relay closes and pulls
    /// when it opens, as a supply would.
    @Suite struct PowerRelay {
        static let relay: UInt32 = 17
        private let board = FakeUSBTree.Board(serial: "PE0002")

        private static let configuration = """
            [[printer]]
            id = "mk3"
            match = { serial = "PE0002" }
            profile = "printedge-sim"

            [gpio]
            chip = "/dev/gpiochip0"
            power_relay = { line = 17 }
            """

        @Test func theRelaySwitchesOnForAJobWaitsForThePrinterAndOffWhenIdleAndCool() async throws {
            let scratch = try TemporaryDirectory()
            let usb = try FakeUSBTree(in: scratch)
            // The printer is powered: the relay was left on.
            let chip = RecordingGPIOChip(levels: [Self.relay: true])
            var simulator = try await SimulatedPrinter.start(link: usb.node("ttyACM0"), arguments: ["--speedup", "20"])
            try usb.plugIn(board, as: "ttyACM0", usbPath: "1-1.3")
            // Half a second of idle time instead of minutes.
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration, usb: usb, chip: chip,
                                           adjust: { $0.gpio?.host.powerRelay?.idleOff = .milliseconds(500) }) { daemon in
                let relay = try #require(chip.request(at: Self.relay))
                #expect(relay.consumer == "printedge power")
                try await daemon.waitUntil("mk3 connects") { try await daemon.status(of: "mk3").state == "idle" }
                try await daemon.waitUntil("the idle relay opens once the hotend is known to be cool") { !relay.level }
                // The supply is cut: the board goes.
                usb.unplug("ttyACM0", usbPath: "1-1.3")
                await simulator.kill()
                unlink(usb.node("ttyACM0"))
                try await daemon.waitUntil("mk3 waits for its board") { try await daemon.status(of: "mk3").state == "offline" }

                // The job ends with its hotend hot, as a print does before its end G-code.
                let job = try await daemon.submit(SampleGCode.distinctMoves(count: 300) + ["M109 S200"], printer: "mk3", in: scratch)
                async let started = daemon.request("jobs.start", job: job)
                try await daemon.waitUntil("the relay closes for the job") { relay.level }
                let waiting = try await daemon.expectOK("power.status").relays?.first
                #expect(waiting?.state == "busy")
                #expect(waiting?.waitingFor == ["mk3"])
                // Powered, the board enumerates, on another node this time.
                simulator = try await SimulatedPrinter.start(link: usb.node("ttyACM1"), arguments: ["--speedup", "20"])
                try usb.plugIn(board, as: "ttyACM1", usbPath: "1-1.3")
                let reply = try await started
                #expect(reply.ok == true, "\(String(describing: reply.error))")
                let busy = try await daemon.request("power.off")
                #expect(busy.error?.message == "relay host stays on: the relay powers mk3, which has a job: finish or cancel it first")
                try await daemon.waitUntil("the job completes") { try await daemon.job(job).state == "completed" }

                // Idle but hot: the relay stays on, and switching it off by hand is refused.
                try await daemon.waitUntil("the idle time has passed") { daemon.log.contains("power relay host stays on although idle: a hotend is at") }
                let hot = try await daemon.request("power.off")
                #expect(hot.error?.code == .refused)
                #expect(hot.error?.message.contains("above its safe 50 °C: its fan needs power until it cools") == true, "\(String(describing: hot.error))")
                #expect(relay.level)
                try await daemon.expectOK("send", printer: "mk3", lines: ["M104 S0"])
                try await daemon.waitUntil("the relay opens once the hotend has cooled") { !relay.level }
                #expect(try await daemon.expectOK("power.status").relays?.first?.state == "off")
            }
        }

        @Test func aPrinterThatDoesNotAppearAfterPowerOnFailsTheStartAndSaysWhatToCheck() async throws {
            let scratch = try TemporaryDirectory()
            let usb = try FakeUSBTree(in: scratch)
            let chip = RecordingGPIOChip(levels: [Self.relay: true])
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration, usb: usb, chip: chip,
                                           printerAppearTimeout: .seconds(1)) { daemon in
                let relay = try #require(chip.request(at: Self.relay))
                // Never seen, its hotend is not known to be cool: the relay stays on.
                let off = try await daemon.request("power.off", printer: "mk3")
                #expect(off.error?.message.contains("a hotend's temperature is not known") == true, "\(String(describing: off.error))")
                #expect(relay.level)

                let job = try await daemon.submit(["G28"], printer: "mk3", in: scratch)
                let start = try await daemon.request("jobs.start", job: job)
                #expect(start.error?.code == .notConnected)
                #expect(start.error?.message == "printer mk3: the printer's USB device did not appear within 1.0 seconds of power-on: check the relay switches its supply and its USB cable")
                #expect(try await daemon.job(job).state == "queued", "a start that never happened leaves the job queued")
                let status = try await daemon.expectOK("power.status", printer: "mk3").relays?.first
                #expect(status?.state == "idle")
                #expect(status?.printers == ["mk3"])
                #expect(status?.line == "line 17 on gpiochip0 [pinctrl-rp1]")
            }
        }
    }
}
