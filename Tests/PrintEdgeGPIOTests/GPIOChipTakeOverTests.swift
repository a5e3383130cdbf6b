import CGPIO
import Testing
@testable import PrintEdgeGPIO

/// A power relay's line taken over at start: what reaches the kernel, ioctl by ioctl, for a
/// relay found on, one found off, and one an emergency stop forces off. The relay is an
/// active-low board on GPIO17, as hardware/gpio/WIRING.md wires it: on while the wire is low.
@Suite struct GPIOChipTakeOverTests {
    private static let relay: UInt32 = 17

    private func chip(wire: GPIOLineLevel) throws -> (GPIOChip, RecordingChipDevice) {
        let device = RecordingChipDevice.raspberryPi5()
        device.lines[Int(Self.relay)].flags = flag(GPIO_V2_LINE_FLAG_OUTPUT)
        device.lines[Int(Self.relay)].wire = wire
        return (try GPIOChip(device: device), device)
    }

    /// The request carries no direction, only the polarity: the kernel leaves the line alone.
    private func expectAsIsRequest(_ device: RecordingChipDevice) throws {
        let request = try #require(device.requests.first)
        #expect(device.requests.count == 1)
        #expect(offsets(of: request) == [Self.relay])
        #expect(string(from: request.consumer) == "printedge power")
        #expect(request.config.flags == flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
        #expect(request.config.num_attrs == 0)
        #expect(bytes(of: request.config.attrs).allSatisfy { $0 == 0 })
    }

    /// The reconfiguration makes it an active-low push-pull output driving `active`.
    private func expectOutputConfig(_ config: gpio_v2_line_config, active: Bool) {
        #expect(config.flags == flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
        let attributes = attributes(of: config)
        #expect(attributes.count == 1)
        #expect(attributes.first?.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue)
        #expect(attributes.first?.attr.values == (active ? 1 : 0))
        #expect(attributes.first?.mask == 1)
    }

    @Test func aRelayFoundOnIsReadWithoutADirectionAndKeptOn() throws {
        let (chip, device) = try chip(wire: .low)
        let (request, foundActive) = try chip.takeOverOutput(offset: Self.relay, activeLow: true, consumer: "printedge power")
        #expect(foundActive)
        try expectAsIsRequest(device)
        #expect(device.ioctls.names == ["GPIO_V2_GET_LINE_IOCTL", "GPIO_V2_LINE_GET_VALUES_IOCTL", "GPIO_V2_LINE_SET_CONFIG_IOCTL"])
        let granted = try #require(device.grantedRequests.first)
        #expect(granted.getValuesCalls.map(\.mask) == [1])
        expectOutputConfig(try #require(granted.setConfigCalls.first), active: true)
        #expect(granted.setValuesCalls.isEmpty)
        #expect(granted.wire(at: 0) == .low, "the relay never left its state")
        #expect(request.settings == [.output(initiallyActive: true, activeLow: true)])
    }

    @Test func aRelayFoundOffIsKeptOff() throws {
        let (chip, device) = try chip(wire: .high)
        let (_, foundActive) = try chip.takeOverOutput(offset: Self.relay, activeLow: true, consumer: "printedge power")
        #expect(!foundActive)
        try expectAsIsRequest(device)
        #expect(device.ioctls.names == ["GPIO_V2_GET_LINE_IOCTL", "GPIO_V2_LINE_GET_VALUES_IOCTL", "GPIO_V2_LINE_SET_CONFIG_IOCTL"])
        let granted = try #require(device.grantedRequests.first)
        expectOutputConfig(try #require(granted.setConfigCalls.first), active: false)
        #expect(granted.wire(at: 0) == .high)
    }

    @Test func anEmergencyStopPressedAtStartSwitchesARelayFoundOnOff() throws {
        let (chip, device) = try chip(wire: .low)
        let (_, foundActive) = try chip.takeOverOutput(offset: Self.relay, activeLow: true, consumer: "printedge power", forcingInactive: true)
        #expect(foundActive, "what was found is reported, for the log")
        try expectAsIsRequest(device)
        #expect(device.ioctls.names == ["GPIO_V2_GET_LINE_IOCTL", "GPIO_V2_LINE_GET_VALUES_IOCTL", "GPIO_V2_LINE_SET_CONFIG_IOCTL"])
        let granted = try #require(device.grantedRequests.first)
        expectOutputConfig(try #require(granted.setConfigCalls.first), active: false)
        #expect(granted.wire(at: 0) == .high)
    }

    @Test func aRelayThatIsActiveHighIsReadAndDrivenWithoutInversion() throws {
        let (chip, device) = try chip(wire: .high)
        let (_, foundActive) = try chip.takeOverOutput(offset: Self.relay, activeLow: false, consumer: "printedge power")
        #expect(foundActive)
        let request = try #require(device.requests.first)
        #expect(request.config.flags == 0)
        let config = try #require(device.grantedRequests.first?.setConfigCalls.first)
        #expect(config.flags == flag(GPIO_V2_LINE_FLAG_OUTPUT))
        #expect(attributes(of: config).first?.attr.values == 1)
    }

    @Test func aBiasWithoutADirectionIsRefusedBeforeTheKernelSeesIt() throws {
        let device = RecordingChipDevice.raspberryPi5()
        let chip = try GPIOChip(device: device)
        let settings = GPIOLineSettings(direction: .asIs, bias: .pullUp)
        #expect(settings.description == "direction as-is, pull-up")
        #expect {
            try chip.request(GPIOLineRequestConfiguration(lines: [.init(offset: 5, settings: settings)]))
        } throws: { error in
            guard case GPIOError.invalidRequest(_, _, let reason) = error else { return false }
            return reason.hasPrefix("a pull-up bias needs the line requested as an input or an output")
        }
        #expect(device.requests.isEmpty)
        #expect(GPIOLineSettings.asIs(activeLow: true).description == "direction as-is, active-low")
    }
}
