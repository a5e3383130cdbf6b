import Glibc
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

extension HardwareInTheDaemon {
    /// Printers found by a `match`, followed by the hot-plug service through a fake sysfs
    /// tree (rescanned) whose device nodes are simulators' ptys: plugging in is starting a
    /// simulator and adding its board to the tree, unplugging is removing the board and
    /// killing the simulator.
    @Suite struct Hotplug {
        private let prusa = FakeUSBTree.Board(serial: "PE0001")

        @Test func aMatchedPrinterFailsItsJobWhenUnpluggedAndIsFoundAgainUnderItsNewName() async throws {
            let scratch = try TemporaryDirectory()
            let usb = try FakeUSBTree(in: scratch)
            var simulator = try await SimulatedPrinter.start(link: usb.node("ttyACM0"), arguments: ["--speedup", "20"])
            try usb.plugIn(prusa, as: "ttyACM0", usbPath: "1-1.3")
            try await DaemonUnderTest.with(in: scratch, configuration: """
                [[printer]]
                id = "mk3"
                match = { usb_id = "2c99:0002", serial = "PE0001" }
                profile = "printedge-sim"
                """, usb: usb) { daemon in
                try await daemon.waitUntil("mk3 connects to its board") { try await daemon.status(of: "mk3").state == "idle" }
                var status = try await daemon.status(of: "mk3")
                #expect(status.device?.state == "connected")
                #expect(status.device?.deviceNode == usb.node("ttyACM0"))
                #expect(status.port == "\(usb.deviceRoot)/serial/by-id/\(prusa.byID)", "status names the board by its stable link")

                let job = try await daemon.submit(SampleGCode.distinctMoves(count: 3_000), printer: "mk3", in: scratch)
                try await daemon.expectOK("jobs.start", job: job)
                try await daemon.waitUntilPrinting(job: job, pastLine: 200)

                usb.unplug("ttyACM0", usbPath: "1-1.3")
                await simulator.kill()
                unlink(usb.node("ttyACM0"))  // the kernel's node goes with the device
                try await daemon.waitUntil("the job fails") { try await daemon.job(job).state == "failed" }
                #expect(try await daemon.job(job).failureReason == "printer unplugged: \(usb.node("ttyACM0")) is gone")
                try await daemon.waitUntil("mk3 waits for a board to be plugged in") {
                    try await daemon.status(of: "mk3").device?.message?.contains("waiting for one to be plugged in") == true
                }
                status = try await daemon.status(of: "mk3")
                #expect(status.state == "offline")
                #expect(status.device?.state == "waiting")
                // Had the printer tried to open the vanished node, its last error would be the open's.
                #expect(status.error == "printer unplugged: \(usb.node("ttyACM0")) is gone")

                // Plugged into another socket, the board comes back as ttyACM1.
                simulator = try await SimulatedPrinter.start(link: usb.node("ttyACM1"), arguments: ["--speedup", "20"])
                try usb.plugIn(prusa, as: "ttyACM1", usbPath: "1-1.4")
                try await daemon.waitUntil("mk3 is found again") { try await daemon.status(of: "mk3").state == "idle" }
                #expect(try await daemon.status(of: "mk3").device?.deviceNode == usb.node("ttyACM1"))
                #expect(daemon.log.contains("printer mk3: found again at \(usb.node("ttyACM1")) (was \(usb.node("ttyACM0"))) after a replug"))

                let next = try await daemon.submit(SampleGCode.distinctMoves(count: 100), printer: "mk3", in: scratch)
                try await daemon.expectOK("jobs.start", job: next)
                try await daemon.waitUntil("the next job completes") { try await daemon.job(next).state == "completed" }
            }
        }

        @Test func aMatchThatFitsTwoBoardsConnectsToNeitherUntilOneIsLeft() async throws {
            let scratch = try TemporaryDirectory()
            let usb = try FakeUSBTree(in: scratch)
            let first = try await SimulatedPrinter.start(link: usb.node("ttyACM0"))
            let second = try await SimulatedPrinter.start(link: usb.node("ttyACM1"))
            try usb.plugIn(FakeUSBTree.Board(serial: "PE000A"), as: "ttyACM0", usbPath: "1-1.1")
            try usb.plugIn(FakeUSBTree.Board(serial: "PE000B"), as: "ttyACM1", usbPath: "1-1.2")
            try await DaemonUnderTest.with(in: scratch, configuration: """
                [[printer]]
                id = "mk3"
                match = { usb_id = "2c99:0002" }
                profile = "printedge-sim"
                """, usb: usb) { daemon in
                try await daemon.waitUntil("mk3 reports the ambiguity") { try await daemon.status(of: "mk3").device?.state == "ambiguous" }
                let status = try await daemon.status(of: "mk3")
                #expect(status.state == "offline")
                let message = status.device?.message ?? ""
                #expect(message.contains("its match fits 2 devices (\(usb.node("ttyACM0")), \(usb.node("ttyACM1")))"), "\(message)")
                #expect(message.contains("make the match more specific"))
                let start = try await daemon.request("jobs.start", job: try await daemon.submit(["G28"], printer: "mk3", in: scratch))
                #expect(start.error?.code == .notConnected)

                usb.unplug("ttyACM0", usbPath: "1-1.1")
                await first.kill()
                try await daemon.waitUntil("mk3 takes the board that is left") { try await daemon.status(of: "mk3").state == "idle" }
                #expect(try await daemon.status(of: "mk3").device?.deviceNode == usb.node("ttyACM1"))
                withExtendedLifetime(second) {}
            }
        }

        @Test func aBoardTwoPrintersMatchesIsTakenByNeither() async throws {
            let scratch = try TemporaryDirectory()
            let usb = try FakeUSBTree(in: scratch)
            let simulator = try await SimulatedPrinter.start(link: usb.node("ttyACM0"))
            try usb.plugIn(prusa, as: "ttyACM0", usbPath: "1-1.3")
            try await DaemonUnderTest.with(in: scratch, configuration: """
                [[printer]]
                id = "left"
                match = { serial = "PE0001" }
                profile = "printedge-sim"

                [[printer]]
                id = "right"
                match = { usb_id = "2c99:0002" }
                profile = "printedge-sim"
                """, usb: usb) { daemon in
                try await daemon.waitUntil("both report the contest") {
                    let left = try await daemon.status(of: "left").device?.state
                    let right = try await daemon.status(of: "right").device?.state
                    return left == "contested" && right == "contested"
                }
                let message = try await daemon.status(of: "left").device?.message ?? ""
                #expect(message.contains("also fits the match of printer right, so no printer takes it"), "\(message)")
                #expect(try await daemon.status(of: "left").state == "offline")
                withExtendedLifetime(simulator) {}
            }
        }
    }
}
