import Foundation
import PrintEdgeControl
@testable import PrintEdgeDaemon
import PrintEdgeFixtures
import PrintEdgeGPIO
import PrintEdgeTestSupport
import Testing

extension HardwareInTheDaemon {
    /// The emergency stop, filament runout, door and status LED lines at work in the daemon:
    /// edges are real `gpio_v2_line_event`s written into the pipes standing for the line
    /// requests of a recording chip; the printer is a simulator on a pty.
    @Suite struct GPIOLines {
        static let relay: UInt32 = 17
        static let runout: UInt32 = 22
        static let door: UInt32 = 23
        static let led: UInt32 = 24
        static let emergencyStop: UInt32 = 27

        /// One printer on `link`, with every kind of line; `doorPauses`: opening the door
        /// pauses the print.
        static func configuration(link: String, doorPauses: Bool = true) -> String {
            """
            [[printer]]
            id = "mk"
            port = "\(link)"
            profile = "printedge-sim"

            [gpio]
            chip = "/dev/gpiochip0"
            power_relay = { line = \(relay), idle_off_minutes = 0 }
            filament_runout = { line = \(runout) }
            door = { line = "GPIO\(door)", pause_on_open = \(doorPauses) }
            status_led = { line = \(led) }
            emergency_stop = { line = \(emergencyStop) }
            """
        }

        /// The relay left on, filament in the sensor, the door closed, the emergency stop
        /// released.
        static func readyChip(doorClosed: Bool = true) -> RecordingGPIOChip {
            RecordingGPIOChip(levels: [relay: true, runout: true, door: doorClosed])
        }

        @Test func aLineNameTheChipDoesNotHaveStopsTheDaemonAtStartWithASuggestion() async throws {
            let scratch = try TemporaryDirectory()
            let configuration = try DaemonUnderTest.configuration(in: scratch, """
                [[printer]]
                id = "mk"
                port = "\(scratch.file("mk.tty"))"
                profile = "printedge-sim"

                [gpio]
                chip = "pinctrl-rp1"
                emergency_stop = { line = "GPIO72" }
                """)
            var environment = GPIOService.Environment.system
            let chip = Self.readyChip()
            environment.openChip = { _ in chip }
            // The chip is named by label: the directory's gpiochip* nodes are opened to find it.
            environment.chipDirectory = scratch.file("dev")
            try FileManager.default.createDirectory(atPath: environment.chipDirectory, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: scratch.file("dev/gpiochip0"), contents: nil))
            // The preflight finds it, pointing at the key, as `--check-config` does.
            let file = scratch.file("printedge.toml")
            let line = try #require(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("GPIO72") }) + 1
            await #expect {
                try await Daemon.build(configuration: configuration, environment: [:], logger: CollectedLog().logger, discovery: .system, gpioEnvironment: environment)
            } throws: { error in
                guard let error = error as? DaemonError else { return false }
                return error.exitStatus == 78
                    && error.description.hasPrefix("\(file):\(line):27: [gpio.emergency_stop]: no line named \"GPIO72\" on gpiochip0 [pinctrl-rp1]; did you mean \"GPIO27\"?")
            }
        }

        @Test func theEmergencyStopSendsM112ThenCutsPowerThenAbortsTheJob() async throws {
            let scratch = try TemporaryDirectory()
            let simulator = try await SimulatedPrinter.start(link: scratch.file("mk.tty"), arguments: ["--speedup", "20", "--mark", "M112"])
            let chip = Self.readyChip()
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(link: simulator.link), chip: chip) { daemon in
                try await daemon.waitUntil("mk is idle") { try await daemon.status(of: "mk").state == "idle" }
                let relay = try #require(chip.request(at: Self.relay))
                #expect(relay.level, "the relay was found closed and stays so")
                #expect(chip.request(at: Self.emergencyStop)?.consumer == "printedge e-stop")
                let job = try await daemon.submit(SampleGCode.distinctMoves(count: 3_000), printer: "mk", in: scratch)
                try await daemon.expectOK("jobs.start", job: job)
                try await daemon.waitUntilPrinting(job: job, pastLine: 200)

                let pressedAt = try #require(chip.request(at: Self.emergencyStop)).inject(.rising)
                try await daemon.waitUntil("M112 reaches the printer") { !simulator.marks.isEmpty }
                let latency = Double(simulator.marks[0] - pressedAt) / 1e6
                print("emergency stop: GPIO edge injected to M112 on the wire: \(String(format: "%.2f", latency)) ms")

                try await daemon.waitUntil("the job is aborted") { try await daemon.job(job).state == "aborted" }
                let aborted = try daemon.events(ofJob: job).last
                #expect(aborted?.kind == "aborted")
                #expect(aborted?.detail?.contains("emergency stop button ([gpio.emergency_stop], line 27 on gpiochip0 [pinctrl-rp1])") == true, "\(String(describing: aborted))")
                #expect(relay.driven.last == false, "the relay is opened")
                let power = try await daemon.expectOK("power.status").relays?.first
                #expect(power?.on == false)

                let next = try await daemon.submit(["G28"], printer: "mk", in: scratch)
                let refused = try await daemon.request("jobs.start", job: next)
                #expect(refused.error?.code == .refused)
                #expect(refused.error?.message.contains("the emergency stop is pressed") == true, "\(String(describing: refused.error))")
                let powerOn = try await daemon.request("power.on")
                #expect(powerOn.error?.message.contains("stays off: the emergency stop [gpio.emergency_stop] is pressed") == true)

                chip.request(at: Self.emergencyStop)?.inject(.falling)
                try await daemon.waitUntil("the release is seen") { daemon.log.contains("the emergency stop [gpio.emergency_stop] was released") }
                try await daemon.expectOK("power.on")
                #expect(relay.level)
            }
        }

        @Test func aFilamentRunoutPausesTheJobAndResumeWaitsForFilament() async throws {
            let scratch = try TemporaryDirectory()
            let simulator = try await SimulatedPrinter.start(link: scratch.file("mk.tty"), arguments: ["--speedup", "20"])
            let chip = Self.readyChip()
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(link: simulator.link), chip: chip) { daemon in
                try await daemon.waitUntil("mk is idle") { try await daemon.status(of: "mk").state == "idle" }
                let job = try await daemon.submit(SampleGCode.distinctMoves(count: 2_000), printer: "mk", in: scratch)
                try await daemon.expectOK("jobs.start", job: job)
                try await daemon.waitUntilPrinting(job: job, pastLine: 200)

                try #require(chip.request(at: Self.runout)).inject(.falling)
                try await daemon.waitUntil("the job is paused") { try await daemon.status(of: "mk").state == "paused" }
                let paused = try daemon.events(ofJob: job).last
                #expect(paused?.kind == "paused")
                #expect(paused?.detail == FilamentRunoutPolicy.runoutReason)

                let refused = try await daemon.request("jobs.resume", job: job)
                #expect(refused.error?.code == .refused)
                #expect(refused.error?.message == "printer mk: no filament in the runout sensor: load filament to resume")

                chip.request(at: Self.runout)?.inject(.rising)
                try await daemon.waitUntil("the sensor reports filament") { try await daemon.request("jobs.resume", job: job).ok == true }
                try await daemon.waitUntil("the job completes") { try await daemon.job(job).state == "completed" }
                #expect(try daemon.events(ofJob: job).map(\.kind) == ["submitted", "started", "paused", "resumed", "completed"])
            }
        }

        @Test func anOpenDoorRefusesTheStartAndOpeningItPausesThePrint() async throws {
            let scratch = try TemporaryDirectory()
            let simulator = try await SimulatedPrinter.start(link: scratch.file("mk.tty"), arguments: ["--speedup", "20"])
            let chip = Self.readyChip(doorClosed: false)
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(link: simulator.link), chip: chip) { daemon in
                try await daemon.waitUntil("mk is idle") { try await daemon.status(of: "mk").state == "idle" }
                let job = try await daemon.submit(SampleGCode.distinctMoves(count: 2_000), printer: "mk", in: scratch)
                let refused = try await daemon.request("jobs.start", job: job)
                #expect(refused.error?.code == .refused)
                #expect(refused.error?.message == "printer mk: the door is open: close it to start")
                #expect(try await daemon.job(job).state == "queued")

                let door = try #require(chip.request(at: Self.door))
                door.inject(.rising)
                try await daemon.waitUntil("the closed door lets the job start") { try await daemon.request("jobs.start", job: job).ok == true }
                try await daemon.waitUntilPrinting(job: job, pastLine: 200)
                door.inject(.falling)
                try await daemon.waitUntil("the job is paused") { try await daemon.status(of: "mk").state == "paused" }
                #expect(try daemon.events(ofJob: job).last?.detail == DoorInterlockPolicy.openedReason)
                #expect(try await daemon.request("jobs.resume", job: job).error?.message == "printer mk: the door is open: close it to resume")
                try await daemon.expectOK("jobs.cancel", job: job)
            }
        }

        @Test func theStatusLEDShowsIdlePrintingAndPaused() async throws {
            let scratch = try TemporaryDirectory()
            let simulator = try await SimulatedPrinter.start(link: scratch.file("mk.tty"), arguments: ["--speedup", "20"])
            let chip = Self.readyChip()
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(link: simulator.link), chip: chip) { daemon in
                try await daemon.waitUntil("mk is idle") { try await daemon.status(of: "mk").state == "idle" }
                let led = try #require(chip.request(at: Self.led))
                try await daemon.waitUntil("the idle flash shows") { led.driven.contains(true) }

                let job = try await daemon.submit(SampleGCode.distinctMoves(count: 2_000), printer: "mk", in: scratch)
                try await daemon.expectOK("jobs.start", job: job)
                try await daemon.waitUntilPrinting(job: job, pastLine: 100)
                try await daemon.waitUntil("the LED is lit steadily while printing") { led.level }

                try await daemon.expectOK("jobs.pause", job: job)
                try await daemon.waitUntil("the job is paused") { try await daemon.status(of: "mk").state == "paused" }
                let changesWhenPaused = led.driven.count
                try await daemon.waitUntil("the LED blinks while paused") { led.driven.count >= changesWhenPaused + 4 }
                #expect(Set(led.driven.dropFirst(changesWhenPaused)) == [true, false])
                try await daemon.expectOK("jobs.cancel", job: job)
            }
        }
    }
}
