import CGPIO
import Foundation
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeGPIO

/// What `printedge gpio chips|lines|get|set|watch` do, against recording chips in a real
/// directory of `gpiochip*` nodes: the rows and JSON they print, the structs each hands the
/// kernel, and the errors a wrong line name or offset gives.
@Suite struct GPIOBenchTests {
    /// A bench whose directory holds one node per device, each opening that same device, so
    /// a test sees every request made through it.
    private func bench(in directory: borrowing TemporaryDirectory, _ devices: [RecordingChipDevice]) throws -> GPIOBench {
        var byPath: [String: RecordingChipDevice] = [:]
        for device in devices {
            try directory.write(device.name, "")
            byPath["\(directory.path)/\(device.name)"] = device
        }
        return GPIOBench(directory: GPIOChipDirectory(directory: directory.path) { path throws(GPIOError) in
            guard let device = byPath[path] else { throw .chipMissing(path: path) }
            return try GPIOChip(device: device)
        })
    }

    /// An I²C expander's eight lines, as a second chip.
    private func expander(_ directory: borrowing TemporaryDirectory) -> RecordingChipDevice {
        RecordingChipDevice(
            path: "\(directory.path)/gpiochip1", name: "gpiochip1", label: "gpio-expander", lines: (0..<8).map { .init(name: "EXP\($0)") })
    }

    private func raspberryPi5(_ directory: borrowing TemporaryDirectory) -> RecordingChipDevice {
        RecordingChipDevice.raspberryPi5(path: "\(directory.path)/gpiochip0")
    }

    private func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: - chips, lines

    @Test func chipsAreListedWithLabelLinesAndNode() throws {
        let directory = try TemporaryDirectory()
        let bench = try bench(in: directory, [raspberryPi5(directory), expander(directory)])
        let chips = try bench.chips()
        #expect(chips.map(GPIOBench.row(chip:)) == [
            "gpiochip0 [pinctrl-rp1]  54 lines  \(directory.path)/gpiochip0",
            "gpiochip1 [gpio-expander]  8 lines  \(directory.path)/gpiochip1",
        ])
        #expect(try json(chips.map(GPIOBenchJSON.Chip.init)) == """
            [{"label":"pinctrl-rp1","lines":54,"name":"gpiochip0","path":"\(directory.path)/gpiochip0"},\
            {"label":"gpio-expander","lines":8,"name":"gpiochip1","path":"\(directory.path)/gpiochip1"}]
            """)
    }

    @Test func linesShowsEachLinesNameConfigurationAndUser() throws {
        let directory = try TemporaryDirectory()
        let device = RecordingChipDevice(
            path: "\(directory.path)/gpiochip0", label: "pinctrl-bcm2711",
            lines: [
                .init(name: "GPIO0"),
                .init(name: "GPIO5", consumer: "printedge power", flags: flag(GPIO_V2_LINE_FLAG_USED) | flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW)),
                .init(
                    name: "", consumer: "printedge e-stop",
                    flags: flag(GPIO_V2_LINE_FLAG_USED) | flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_UP)
                        | flag(GPIO_V2_LINE_FLAG_EDGE_RISING) | flag(GPIO_V2_LINE_FLAG_EDGE_FALLING),
                    debounceMicroseconds: 5000),
                .init(name: "STATUS_LED", flags: flag(GPIO_V2_LINE_FLAG_USED) | flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_OPEN_DRAIN)),
            ])
        let bench = try bench(in: directory, [device])
        let listings = try bench.lines(chip: "pinctrl-bcm2711")
        #expect(listings.count == 1)
        #expect(listings.flatMap(\.rows) == [
            "gpiochip0 [pinctrl-bcm2711]  4 lines  \(directory.path)/gpiochip0",
            "    0  GPIO0             input  unused",
            "    1  GPIO5             output, active-low  used by \"printedge power\"",
            "    2  -                 input, pull-up, both edges, debounce 5000 µs  used by \"printedge e-stop\"",
            "    3  STATUS_LED        output, open-drain  used by an unnamed consumer",
        ])
        let record = try #require(listings.first?.record)
        #expect(try json(record.chip) == #"{"label":"pinctrl-bcm2711","lines":4,"name":"gpiochip0","path":"\#(directory.path)/gpiochip0"}"#)
        #expect(try json(record.lines[2]) == """
            {"active_low":false,"bias":"pull-up","consumer":"printedge e-stop","debounce_us":5000,"direction":"input",\
            "drive":"push-pull","edges":"both","name":"","offset":2,"used":true}
            """)
        #expect(try bench.lines(chip: nil).map(\.chip.label) == ["pinctrl-bcm2711"])
        #expect(device.requests.isEmpty, "listing requests no line")
    }

    // MARK: - get

    @Test func getReadsANamedLineAsItIsWithoutSwitchingItsDirection() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        device.lines[17].flags = flag(GPIO_V2_LINE_FLAG_OUTPUT)
        device.lines[17].wire = .high
        let bench = try bench(in: directory, [device])

        let readings = try bench.get([.name("GPIO17")], chip: nil, activeLow: false, inputBias: nil)
        #expect(readings.map(\.row) == ["17 (GPIO17) = 1"])
        #expect(try json(readings.map(\.record)) == #"[{"active":true,"name":"GPIO17","offset":17}]"#)
        let request = try #require(device.requests.first)
        #expect(offsets(of: request) == [17])
        #expect(string(from: request.consumer) == "printedge gpio")
        #expect(request.config.flags == 0, "no direction flag: the kernel leaves an output driving")
        #expect(request.config.num_attrs == 0)
        #expect(device.ioctls.names == ["GPIO_V2_GET_LINE_IOCTL", "GPIO_V2_LINE_GET_VALUES_IOCTL"])

        // Active-low: the high wire is inactive.
        let inverted = try bench.get([.offset(17)], chip: "pinctrl-rp1", activeLow: true, inputBias: nil)
        #expect(inverted.map(\.row) == ["17 (GPIO17) = 0"])
        #expect(device.requests.last?.config.flags == flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
    }

    @Test func getWithABiasReadsTheLinesAsInputs() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        device.lines[23].wire = .low
        let bench = try bench(in: directory, [device])
        let readings = try bench.get([.name("GPIO23"), .name("GPIO24")], chip: nil, activeLow: true, inputBias: .pullUp)
        #expect(readings.map(\.row) == ["23 (GPIO23) = 1", "24 (GPIO24) = 1"])
        let request = try #require(device.requests.first)
        #expect(offsets(of: request) == [23, 24])
        #expect(request.config.flags == flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_UP) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
    }

    // MARK: - set

    @Test func setDrivesExactlyTheRequestedValuesWithTheRequestedFlagsForTheHoldTime() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        let bench = try bench(in: directory, [device, expander(directory)])
        let assignments = [GPIOLineAssignment(line: .name("GPIO5"), active: true), GPIOLineAssignment(line: .name("GPIO6"), active: false)]

        let held = try bench.set(assignments, chip: nil, activeLow: true, drive: .openDrain)
        let request = try #require(device.requests.first)
        #expect(device.requests.count == 1)
        #expect(offsets(of: request) == [5, 6])
        #expect(string(from: request.consumer) == "printedge gpio")
        #expect(request.config.flags == flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_OPEN_DRAIN) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
        let attributes = attributes(of: request.config)
        #expect(attributes.count == 1)
        #expect(attributes.first?.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue)
        #expect(attributes.first?.attr.values == 0b01)
        #expect(attributes.first?.mask == 0b11)

        #expect(held.summary(holding: .milliseconds(250)) == "gpiochip0 [pinctrl-rp1]: 5 (GPIO5) = 1, 6 (GPIO6) = 0, held for 250 ms")
        #expect(held.summary(holding: .seconds(1.5)).hasSuffix(", held for 1.5 s"))
        #expect(held.summary(holding: nil).hasSuffix("6 (GPIO6) = 0; Ctrl-C releases"))
        held.hold(for: .milliseconds(20))
        // The values went with the request; nothing was set after it.
        #expect(device.ioctls.names == ["GPIO_V2_GET_LINE_IOCTL"])
        let granted = try #require(device.grantedRequests.first)
        #expect(granted.wire(at: 0) == .low, "GPIO5 active, active-low: the wire is low")
        #expect(granted.wire(at: 1) == .high)
    }

    @Test func assignmentsAreParsedAndBadOnesSayHowToWriteThem() throws {
        #expect(try GPIOLineAssignment(parsing: "GPIO5=on") == GPIOLineAssignment(line: .name("GPIO5"), active: true))
        #expect(try GPIOLineAssignment(parsing: "17=0") == GPIOLineAssignment(line: .offset(17), active: false))
        #expect(try GPIOLineAssignment(parsing: "GPIO6=Inactive") == GPIOLineAssignment(line: .name("GPIO6"), active: false))
        #expect(throws: GPIOLineAssignment.Malformed(description: "'GPIO5' is not LINE=VALUE; write e.g. GPIO5=1 or 17=0")) {
            try GPIOLineAssignment(parsing: "GPIO5")
        }
        #expect(throws: GPIOLineAssignment.Malformed(description: "'=1' is not LINE=VALUE; write e.g. GPIO5=1 or 17=0")) {
            try GPIOLineAssignment(parsing: "=1")
        }
        #expect(throws: GPIOLineAssignment.Malformed(description: "'2' in 'GPIO5=2' is not a value: write 1 or 0 (on or off)")) {
            try GPIOLineAssignment(parsing: "GPIO5=2")
        }
    }

    // MARK: - watch

    @Test func watchPrintsEachEdgeWithItsTimestampAndTheGapSinceTheLinesLast() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        device.lines[27].wire = .high
        let bench = try bench(in: directory, [device])
        var watch = try bench.watch([.name("GPIO27"), .offset(24)], chip: nil, activeLow: true, bias: .pullUp, edges: .both, debounce: .milliseconds(5))
        #expect(watch.header == "watching gpiochip0 [pinctrl-rp1]: 27 (GPIO27) = 0, 24 (GPIO24) = 1; Ctrl-C stops")
        let request = try #require(device.requests.first)
        #expect(offsets(of: request) == [27, 24])
        #expect(
            request.config.flags
                == flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_EDGE_RISING) | flag(GPIO_V2_LINE_FLAG_EDGE_FALLING)
                | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_UP) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
        #expect(attributes(of: request.config).map(\.attr.debounce_period_us) == [5000])

        let granted = try #require(device.grantedRequests.first)
        granted.send([
            kernelEvent(.rising, offset: 27, timestampNanoseconds: 12_000_000_000, sequenceNumber: 1, lineSequenceNumber: 1),
            kernelEvent(.falling, offset: 27, timestampNanoseconds: 12_250_000_000, sequenceNumber: 2, lineSequenceNumber: 2),
            kernelEvent(.rising, offset: 24, timestampNanoseconds: 13_000_000_001, sequenceNumber: 3, lineSequenceNumber: 1),
        ])
        #expect(try watch.readRows() == [
            "12.000000000  27 (GPIO27)  rising   #1 (line #1)",
            "12.250000000  27 (GPIO27)  falling  #2 (line #2)  +0.250000000 s",
            "13.000000001  24 (GPIO24)  rising   #3 (line #1)",
        ])
        granted.send([kernelEvent(.falling, offset: 27, timestampNanoseconds: 14_000_000_000, sequenceNumber: 4, lineSequenceNumber: 3)])
        #expect(try watch.readRecords().map { try json($0) } == [
            #"{"edge":"falling","line_sequence_number":3,"name":"GPIO27","offset":27,"sequence_number":4,"timestamp_ns":14000000000}"#
        ])
        granted.closeEvents()
        #expect(throws: GPIOError.eventsEnded(chip: "gpiochip0 [pinctrl-rp1]")) { try watch.readRows() }
    }

    // MARK: - Lines that cannot be found

    @Test func anUnknownLineNameIsReportedWithTheLikelyMeantOne() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        let bench = try bench(in: directory, [device, expander(directory)])
        #expect {
            try bench.get([.name("GPIO71")], chip: nil, activeLow: false, inputBias: nil)
        } throws: { error in
            guard let error = error as? GPIOError,
                error == .lineNotFound(chip: "gpiochip0 [pinctrl-rp1], gpiochip1 [gpio-expander]", name: "GPIO71", suggestion: "GPIO17")
            else { return false }
            return error.description == "no line named \"GPIO71\" on gpiochip0 [pinctrl-rp1], gpiochip1 [gpio-expander]; did you mean "
                + "\"GPIO17\"? (`printedge gpio lines` lists the names; a line can also be given by its offset)"
        }
        #expect(throws: GPIOError.lineNotFound(chip: "gpiochip1 [gpio-expander]", name: "EXP9", suggestion: "EXP0")) {
            try bench.get([.name("EXP9")], chip: "gpio-expander", activeLow: false, inputBias: nil)
        }
        #expect(device.requests.isEmpty)
    }

    @Test func aLineNameTwoLinesCarryIsRefusedNamingBoth() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        let other = expander(directory)
        other.lines[3].name = "GPIO5"
        let bench = try bench(in: directory, [device, other])
        #expect {
            try bench.set([GPIOLineAssignment(line: .name("GPIO5"), active: true)], chip: nil, activeLow: false, drive: .pushPull)
        } throws: { error in
            guard let error = error as? GPIOError,
                error == .ambiguousLineName(name: "GPIO5", lines: ["line 5 on gpiochip0 [pinctrl-rp1]", "line 3 on gpiochip1 [gpio-expander]"])
            else { return false }
            return error.description.hasPrefix(
                "the line name \"GPIO5\" is not unique: line 5 on gpiochip0 [pinctrl-rp1] and line 3 on gpiochip1 [gpio-expander] "
                    + "carry it — name the line by its chip and offset instead (`--chip` and the offset")
        }
        #expect(device.requests.isEmpty && other.requests.isEmpty, "nothing was driven")
        // Naming the chip settles it.
        _ = try bench.get([.name("GPIO5")], chip: "gpio-expander", activeLow: false, inputBias: nil)
        #expect(other.requests.count == 1)

        device.lines[40].name = "GPIO6"
        #expect(throws: GPIOError.ambiguousLineName(name: "GPIO6", lines: ["line 6 on gpiochip0 [pinctrl-rp1]", "line 40 on gpiochip0 [pinctrl-rp1]"])) {
            try bench.get([.name("GPIO6")], chip: "pinctrl-rp1", activeLow: false, inputBias: nil)
        }
    }

    @Test func anOffsetBeyondTheChipSaysWhichLinesExistAndWhereThePinMapIs() throws {
        let directory = try TemporaryDirectory()
        let device = raspberryPi5(directory)
        let bench = try bench(in: directory, [device])
        #expect {
            try bench.get([.offset(60)], chip: nil, activeLow: false, inputBias: nil)
        } throws: { error in
            guard let error = error as? GPIOError, error == .lineOutOfRange(chip: "gpiochip0 [pinctrl-rp1]", offset: 60, lineCount: 54) else { return false }
            return error.description == "line 60 does not exist on gpiochip0 [pinctrl-rp1], which has lines 0…53 — check the pin map in "
                + "hardware/gpio/ for the line offset of a header pin"
        }
        #expect(device.requests.isEmpty)
    }

    @Test func anOffsetNeedsTheChipWhenThereAreSeveral() throws {
        let directory = try TemporaryDirectory()
        let bench = try bench(in: directory, [raspberryPi5(directory), expander(directory)])
        #expect {
            try bench.watch([.offset(17)], chip: nil, activeLow: false, bias: .asIs, edges: .both, debounce: .zero)
        } throws: { error in
            guard let error = error as? GPIOError,
                error == .chipNeeded(line: "line 17", chips: ["gpiochip0 [pinctrl-rp1]", "gpiochip1 [gpio-expander]"])
            else { return false }
            return error.description.hasPrefix(
                "line 17 needs a chip: this machine has 2 GPIO chips (gpiochip0 [pinctrl-rp1], gpiochip1 [gpio-expander]) — add `--chip`")
        }
        #expect(try bench.get([.offset(17)], chip: "pinctrl-rp1", activeLow: false, inputBias: nil).map(\.row) == ["17 (GPIO17) = 0"])
    }

    @Test func linesOfTwoChipsCannotBeRequestedTogether() throws {
        let directory = try TemporaryDirectory()
        let bench = try bench(in: directory, [raspberryPi5(directory), expander(directory)])
        #expect(throws: GPIOError.linesOnSeveralChips(name: "EXP2", chip: "gpiochip1 [gpio-expander]", earlierChip: "gpiochip0 [pinctrl-rp1]")) {
            try bench.get([.name("GPIO17"), .name("EXP2")], chip: nil, activeLow: false, inputBias: nil)
        }
    }

    @Test func withoutChipsEverySubcommandSaysSo() throws {
        let directory = try TemporaryDirectory()
        let bench = GPIOBench(directory: GPIOChipDirectory(directory: directory.path))
        let noChips = GPIOError.noChips(directory: directory.path)
        #expect(throws: noChips) { try bench.chips() }
        #expect(throws: noChips) { try bench.lines(chip: nil) }
        #expect(throws: noChips) { try bench.get([.name("GPIO17")], chip: nil, activeLow: false, inputBias: nil) }
    }
}
