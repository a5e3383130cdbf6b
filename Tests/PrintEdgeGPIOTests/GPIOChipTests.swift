import CGPIO
import Glibc
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeGPIO

@Suite struct GPIOChipTests {
    @Test func theChipIsDescribedByNameLabelAndLineCount() throws {
        let chip = try GPIOChip(device: RecordingChipDevice.raspberryPi5())
        #expect(chip.name == "gpiochip0")
        #expect(chip.label == "pinctrl-rp1")
        #expect(chip.lineCount == 54)
        #expect(chip.title == "gpiochip0 [pinctrl-rp1]")
        #expect(chip.path == "/dev/gpiochip0")
    }

    @Test func lineInfoDecodesNameConsumerFlagsAndDebounce() throws {
        let device = RecordingChipDevice.raspberryPi5()
        device.lines[20] = .init(
            name: "GPIO20", consumer: "pwr_button",
            flags: flag(GPIO_V2_LINE_FLAG_USED) | flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW)
                | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_UP) | flag(GPIO_V2_LINE_FLAG_EDGE_RISING) | flag(GPIO_V2_LINE_FLAG_EDGE_FALLING),
            debounceMicroseconds: 50_000)
        device.lines[22] = .init(name: "GPIO22", flags: flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_OPEN_DRAIN))
        let lines = try GPIOChip(device: device).lines()
        #expect(lines.count == 54)
        #expect(
            lines[20]
                == GPIOLineInfo(
                    offset: 20, name: "GPIO20", consumer: "pwr_button", isUsed: true, activeLow: true, bias: .pullUp, edges: .both,
                    debounce: .milliseconds(50)))
        #expect(lines[22] == GPIOLineInfo(offset: 22, name: "GPIO22", isOutput: true, drive: .openDrain))
        #expect(lines[40].name == "")
        #expect(lines[40].label == "40")
        #expect(lines[17].label == "17 (GPIO17)")
    }

    @Test func aLineIsFoundByNameAndAMisspeltNameGetsASuggestion() throws {
        let chip = try GPIOChip(device: RecordingChipDevice.raspberryPi5())
        #expect(try chip.offset(of: .name("GPIO17")) == 17)
        #expect(try chip.offset(of: .offset(53)) == 53)
        #expect(throws: GPIOError.lineNotFound(chip: "gpiochip0 [pinctrl-rp1]", name: "GPIO71", suggestion: "GPIO17")) {
            try chip.offset(of: .name("GPIO71"))
        }
        #expect(throws: GPIOError.lineNotFound(chip: "gpiochip0 [pinctrl-rp1]", name: "gpio17", suggestion: "GPIO17")) {
            try chip.offset(of: .name("gpio17"))
        }
        #expect(throws: GPIOError.lineNotFound(chip: "gpiochip0 [pinctrl-rp1]", name: "RELAY", suggestion: nil)) {
            try chip.offset(of: .name("RELAY"))
        }
    }

    @Test func anOffsetBeyondTheChipIsRefusedBeforeTheKernelSeesIt() throws {
        let device = RecordingChipDevice.raspberryPi5()
        let chip = try GPIOChip(device: device)
        let error = GPIOError.lineOutOfRange(chip: "gpiochip0 [pinctrl-rp1]", offset: 54, lineCount: 54)
        #expect(throws: error) {
            try chip.request(GPIOLineRequestConfiguration(lines: [.init(offset: 54, settings: .input())]))
        }
        #expect(device.requests.isEmpty)
        #expect(error.description.hasPrefix("line 54 does not exist on gpiochip0 [pinctrl-rp1], which has lines 0…53"))
    }

    @Test func aBusyLineIsReportedWithWhoHoldsIt() throws {
        let device = RecordingChipDevice.raspberryPi5()
        device.lines[27] = .init(name: "GPIO27", consumer: "gpio-keys", flags: flag(GPIO_V2_LINE_FLAG_USED) | flag(GPIO_V2_LINE_FLAG_INPUT))
        device.failNextRequest = EBUSY
        let chip = try GPIOChip(device: device)
        let configuration = GPIOLineRequestConfiguration(lines: [
            .init(offset: 17, settings: .output(initiallyActive: false)), .init(offset: 27, settings: .input(bias: .pullUp, edges: .both)),
        ])
        #expect {
            try chip.request(configuration)
        } throws: { error in
            guard let error = error as? GPIOError else { return false }
            return error == .lineBusy(chip: "gpiochip0 [pinctrl-rp1]", offset: 27, name: "GPIO27", consumer: "gpio-keys")
                && error.description.hasPrefix("line 27 (GPIO27) on gpiochip0 [pinctrl-rp1] is used by \"gpio-keys\"")
        }
        #expect(device.requests.count == 1)
    }

    @Test func aRequestTheKernelRejectsIsDescribedInTheError() throws {
        let device = RecordingChipDevice.raspberryPi5()
        device.failNextRequest = EINVAL
        let chip = try GPIOChip(device: device)
        let configuration = GPIOLineRequestConfiguration(lines: [.init(offset: 5, settings: .input(bias: .pullUp, edges: .both, debounce: .milliseconds(10)))])
        #expect {
            try chip.request(configuration)
        } throws: { error in
            "\(error)".hasPrefix(
                "the kernel rejected the request for line 5 (input, pull-up, both edges, debounce 10 ms) for \"printedge\" on "
                    + "gpiochip0 [pinctrl-rp1]: Invalid argument (errno 22)")
        }
    }

    @Test func valuesAreWrittenAndReadByTheLinesPlaceInTheRequest() throws {
        let device = RecordingChipDevice.raspberryPi5()
        let chip = try GPIOChip(device: device)
        let request = try chip.request(
            GPIOLineRequestConfiguration(lines: [
                .init(offset: 17, settings: .output(initiallyActive: false, activeLow: true)),
                .init(offset: 22, settings: .output(initiallyActive: false)),
                .init(offset: 27, settings: .input()),
            ]))
        let granted = try #require(device.grantedRequests.first)
        try request.setValue(true, offset: 22)
        try request.setValues([17: true, 22: false])
        #expect(granted.setValuesCalls.map(\.mask) == [0b010, 0b011])
        #expect(granted.setValuesCalls.map(\.bits) == [0b010, 0b001])
        granted.levels = 0b101
        #expect(try request.values() == [17: true, 22: false, 27: true])
        #expect(try request.value(offset: 27))
        #expect(granted.getValuesCalls.map(\.mask) == [0b111, 0b100])
        #expect(throws: GPIOError.lineNotInRequest(chip: "gpiochip0 [pinctrl-rp1]", offset: 5, requested: [17, 22, 27])) {
            try request.setValue(true, offset: 5)
        }
    }

    @Test func drivingAnInputIsReportedAsSuch() throws {
        let device = RecordingChipDevice.raspberryPi5()
        let request = try GPIOChip(device: device).request(
            GPIOLineRequestConfiguration(lines: [.init(offset: 17, settings: .output(initiallyActive: false)), .init(offset: 27, settings: .input())]))
        try #require(device.grantedRequests.first).failNextSetValues = EPERM
        #expect(throws: GPIOError.notAnOutput(chip: "gpiochip0 [pinctrl-rp1]", offsets: [27])) {
            try request.setValues([17: true, 27: true])
        }
    }

    @Test func reconfiguringSendsTheWholeRequestsNewConfiguration() throws {
        let device = RecordingChipDevice.raspberryPi5()
        let request = try GPIOChip(device: device).request(
            GPIOLineRequestConfiguration(lines: [.init(offset: 17, settings: .output(initiallyActive: true)), .init(offset: 27, settings: .input())]))
        try request.reconfigure([17: .input(bias: .pullDown)])
        let config = try #require(device.grantedRequests.first?.setConfigCalls.first)
        #expect(config.flags == flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN))
        let attributes = attributes(of: config)
        #expect(attributes.count == 1)
        #expect(attributes.first?.attr.flags == flag(GPIO_V2_LINE_FLAG_INPUT))
        #expect(attributes.first?.mask == 0b10)
        #expect(request.settings == [.input(bias: .pullDown), .input()])
    }

    @Test func openingAMissingNodeSaysSoAndAPermissionProblemNamesTheGroup() throws {
        #expect(throws: GPIOError.chipMissing(path: "/dev/gpiochip-not-here")) {
            try GPIOChip(path: "/dev/gpiochip-not-here")
        }
        let denied = GPIOError.opening("/dev/gpiochip0", errno: EACCES)
        #expect(denied == .permissionDenied(path: "/dev/gpiochip0"))
        #expect(denied.description.contains("`gpio` group"))
        #expect(denied.description.contains("KERNEL==\"gpiochip*\""))
    }

    @Test func aFileThatIsNotAChipIsReportedAsNotAChip() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("gpiochip0", "not a chip")
        #expect(throws: GPIOError.notAChip(path: path)) {
            try GPIOChip(path: path)
        }
    }
}
