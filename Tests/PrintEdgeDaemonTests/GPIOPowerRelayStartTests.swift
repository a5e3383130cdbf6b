import CGPIO
import PrintEdgeControl
import PrintEdgeTestSupport
import Testing

extension HardwareInTheDaemon {
    /// What a daemon (re)start does to a power relay: it keeps the state it finds the relay
    /// in, read without disturbing the line, unless an emergency stop is pressed. The
    /// printer's port does not exist: only the relay matters here.
    @Suite struct GPIOPowerRelayStart {
        static let relay: UInt32 = 17
        static let emergencyStop: UInt32 = 27

        static func configuration(in scratch: TemporaryDirectory) -> String {
            """
            [[printer]]
            id = "mk"
            port = "\(scratch.file("mk.tty"))"
            profile = "printedge-sim"

            [gpio]
            chip = "/dev/gpiochip0"
            power_relay = { line = \(relay), active_low = true, idle_off_minutes = 30 }
            emergency_stop = { line = \(emergencyStop) }
            """
        }

        private static let asIs = UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue)
        private static let output = UInt64(GPIO_V2_LINE_FLAG_OUTPUT.rawValue) | UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue)

        @Test func aRelayFoundOnStaysOnAndItsIdleTimeStarts() async throws {
            let scratch = try TemporaryDirectory()
            let chip = RecordingGPIOChip(levels: [Self.relay: true])
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(in: scratch), chip: chip) { daemon in
                let relay = try #require(chip.request(at: Self.relay))
                #expect(relay.flags == Self.asIs, "requested with no direction: the line is left as it is")
                #expect(relay.reconfigurations == [Self.output])
                #expect(relay.driven == [true])
                #expect(daemon.log.contains(
                    "notice GPIO: power relay host: found on (line 17 on gpiochip0 [pinctrl-rp1]); switches off after 30 min idle when every hotend it powers is cool"),
                    "\(daemon.log.text)")
                let status = try #require(try await daemon.expectOK("power.status").relays?.first)
                #expect(status.on)
                #expect(status.state == "idle")
                let switchOff = try #require(status.switchOffInSeconds)
                #expect(switchOff > 0 && switchOff <= 30 * 60)
            }
        }

        @Test func aRelayFoundOffStaysOff() async throws {
            let scratch = try TemporaryDirectory()
            let chip = RecordingGPIOChip()
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(in: scratch), chip: chip) { daemon in
                let relay = try #require(chip.request(at: Self.relay))
                #expect(relay.flags == Self.asIs)
                #expect(relay.reconfigurations == [Self.output])
                #expect(relay.driven == [false])
                #expect(daemon.log.contains(
                    "notice GPIO: power relay host: found off (line 17 on gpiochip0 [pinctrl-rp1]); switches on when a job starts or on `printedge power on`"),
                    "\(daemon.log.text)")
                let status = try #require(try await daemon.expectOK("power.status").relays?.first)
                #expect(!status.on)
                #expect(status.state == "off")
            }
        }

        @Test func anEmergencyStopPressedAtStartSwitchesARelayFoundOnOff() async throws {
            let scratch = try TemporaryDirectory()
            let chip = RecordingGPIOChip(levels: [Self.relay: true, Self.emergencyStop: true])
            try await DaemonUnderTest.with(in: scratch, configuration: Self.configuration(in: scratch), chip: chip) { daemon in
                let relay = try #require(chip.request(at: Self.relay))
                #expect(relay.flags == Self.asIs)
                #expect(relay.reconfigurations == [Self.output])
                #expect(relay.driven == [false])
                #expect(!relay.level)
                #expect(daemon.log.contains(
                    "notice GPIO: power relay host: found on (line 17 on gpiochip0 [pinctrl-rp1]); switched off: the emergency stop [gpio.emergency_stop] is pressed"),
                    "\(daemon.log.text)")
                let status = try #require(try await daemon.expectOK("power.status").relays?.first)
                #expect(!status.on)
                let refused = try await daemon.request("power.on")
                #expect(refused.error?.message.contains("stays off: the emergency stop [gpio.emergency_stop] is pressed") == true)
            }
        }
    }
}
