import CGPIO
import Testing
@testable import PrintEdgeGPIO

/// What reaches GPIO_V2_GET_LINE_IOCTL, field by field: these are the structs the kernel
/// validates (gpiolib-cdev's linereq_create), so every flag, mask and padding byte counts.
@Suite struct GPIOLineRequestEncodingTests {
    private func requested(_ configuration: GPIOLineRequestConfiguration) throws -> gpio_v2_line_request {
        let device = RecordingChipDevice.raspberryPi5()
        let chip = try GPIOChip(device: device)
        _ = try chip.request(configuration)
        #expect(device.requests.count == 1)
        return try #require(device.requests.first)
    }

    @Test func aRelayOutputIsRequestedActiveLowWithItsInitialValueInTheRequest() throws {
        let request = try requested(
            GPIOLineRequestConfiguration(lines: [.init(offset: 17, settings: .output(initiallyActive: false, activeLow: true))]))
        #expect(offsets(of: request) == [17])
        #expect(request.num_lines == 1)
        #expect(string(from: request.consumer) == "printedge")
        #expect(request.event_buffer_size == 0)
        #expect(request.config.flags == flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
        let attributes = attributes(of: request.config)
        #expect(attributes.count == 1)
        #expect(attributes.first?.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue)
        #expect(attributes.first?.attr.values == 0)
        #expect(attributes.first?.mask == 0b1)
        // The kernel refuses non-zero padding with EINVAL; unused slots stay zero too.
        #expect(bytes(of: request.padding).allSatisfy { $0 == 0 })
        #expect(bytes(of: request.config.padding).allSatisfy { $0 == 0 })
        #expect(bytes(of: request.offsets).dropFirst(4).allSatisfy { $0 == 0 })
        #expect(bytes(of: request.config.attrs).dropFirst(MemoryLayout<gpio_v2_line_config_attribute>.size).allSatisfy { $0 == 0 })
    }

    @Test func anInitiallyActiveOutputSetsItsValueBitUnderTheMask() throws {
        let request = try requested(
            GPIOLineRequestConfiguration(lines: [
                .init(offset: 22, settings: .input()),
                .init(offset: 23, settings: .output(initiallyActive: true)),
            ]))
        let values = try #require(attributes(of: request.config).first { $0.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue })
        #expect(values.attr.values == 0b10)
        #expect(values.mask == 0b10)
    }

    @Test func linesWithOtherSettingsGetAttributesMaskedByTheirPlaceInTheRequest() throws {
        let runout = GPIOLineSettings.input(bias: .pullUp, edges: .both, debounce: .milliseconds(50), activeLow: true)
        let door = GPIOLineSettings.input(bias: .pullUp, edges: .both, debounce: .milliseconds(20), activeLow: true)
        let estop = GPIOLineSettings.input(bias: .pullDown, edges: .rising)
        let led = GPIOLineSettings.output(initiallyActive: true, drive: .openDrain)
        let request = try requested(
            GPIOLineRequestConfiguration(
                consumer: "printedge mk3s-1",
                lines: [.init(offset: 5, settings: runout), .init(offset: 6, settings: door), .init(offset: 27, settings: estop), .init(offset: 22, settings: led)],
                eventBufferSize: 64))
        #expect(offsets(of: request) == [5, 6, 27, 22])
        #expect(request.num_lines == 4)
        #expect(request.event_buffer_size == 64)
        #expect(string(from: request.consumer) == "printedge mk3s-1")
        // The flags two lines share are the default; each other set gets an attribute.
        let input = flag(GPIO_V2_LINE_FLAG_INPUT)
        let bothEdges = flag(GPIO_V2_LINE_FLAG_EDGE_RISING) | flag(GPIO_V2_LINE_FLAG_EDGE_FALLING)
        #expect(request.config.flags == input | bothEdges | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_UP) | flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW))
        let attributes = attributes(of: request.config)
        #expect(attributes.count == 5)
        #expect(attributes[0].attr.id == GPIO_V2_LINE_ATTR_ID_FLAGS.rawValue)
        #expect(attributes[0].attr.flags == input | flag(GPIO_V2_LINE_FLAG_EDGE_RISING) | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN))
        #expect(attributes[0].mask == 0b0100)
        #expect(attributes[1].attr.id == GPIO_V2_LINE_ATTR_ID_FLAGS.rawValue)
        #expect(attributes[1].attr.flags == flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_OPEN_DRAIN))
        #expect(attributes[1].mask == 0b1000)
        #expect(attributes[2].attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue)
        #expect(attributes[2].attr.values == 0b1000)
        #expect(attributes[2].mask == 0b1000)
        #expect(attributes[3].attr.id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE.rawValue)
        #expect(attributes[3].attr.debounce_period_us == 50_000)
        #expect(attributes[3].mask == 0b0001)
        #expect(attributes[4].attr.id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE.rawValue)
        #expect(attributes[4].attr.debounce_period_us == 20_000)
        #expect(attributes[4].mask == 0b0010)
    }

    @Test func eachBiasAndDriveMapsToItsOwnFlag() {
        #expect(GPIOLineSettings.input(bias: .disabled).kernelFlags == flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_BIAS_DISABLED))
        #expect(GPIOLineSettings.input(bias: .asIs).kernelFlags == flag(GPIO_V2_LINE_FLAG_INPUT))
        #expect(GPIOLineSettings.input(edges: .falling).kernelFlags == flag(GPIO_V2_LINE_FLAG_INPUT) | flag(GPIO_V2_LINE_FLAG_EDGE_FALLING))
        #expect(
            GPIOLineSettings.output(initiallyActive: false, drive: .openSource, bias: .pullDown).kernelFlags
                == flag(GPIO_V2_LINE_FLAG_OUTPUT) | flag(GPIO_V2_LINE_FLAG_OPEN_SOURCE) | flag(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN))
    }

    @Test func aConsumerOf31BytesFitsWithItsNulAnd32AreRefused() throws {
        let line = GPIOLineRequestConfiguration.Line(offset: 4, settings: .input())
        let longest = String(repeating: "c", count: 31)
        let request = try requested(GPIOLineRequestConfiguration(consumer: longest, lines: [line]))
        #expect(string(from: request.consumer) == longest)
        #expect(bytes(of: request.consumer)[31] == 0)

        let device = RecordingChipDevice.raspberryPi5()
        let chip = try GPIOChip(device: device)
        #expect {
            _ = try chip.request(GPIOLineRequestConfiguration(consumer: longest + "c", lines: [line]))
        } throws: { error in
            guard case GPIOError.invalidRequest(let chipTitle, _, let reason) = error else { return false }
            return chipTitle == "gpiochip0 [pinctrl-rp1]" && reason.contains("32 bytes; the kernel keeps 31")
        }
        #expect(device.requests.isEmpty)
    }

    @Test func requestsTheKernelWouldRefuseAreRefusedFirstWithTheReason() throws {
        let chip = try GPIOChip(device: RecordingChipDevice.raspberryPi5())
        func reason(_ configuration: GPIOLineRequestConfiguration) -> String? {
            do {
                _ = try chip.request(configuration)
                return nil
            } catch {
                if case .invalidRequest(_, _, let reason) = error { return reason }
                return "\(error)"
            }
        }
        #expect(reason(GPIOLineRequestConfiguration(lines: [])) == "a request needs at least one line")
        let twice = GPIOLineRequestConfiguration.Line(offset: 7, settings: .input())
        #expect(reason(GPIOLineRequestConfiguration(lines: [twice, twice])) == "line 7 is listed twice")
        #expect(reason(GPIOLineRequestConfiguration(consumer: "", lines: [twice]))?.hasPrefix("the consumer name is empty") == true)
        #expect(reason(GPIOLineRequestConfiguration(lines: [twice], eventBufferSize: 2000))?.hasPrefix("event buffer size 2000 is outside 0…1024") == true)
        let subMicrosecond = GPIOLineRequestConfiguration.Line(offset: 8, settings: .input(edges: .both, debounce: .nanoseconds(10)))
        #expect(reason(GPIOLineRequestConfiguration(lines: [subMicrosecond]))?.contains("outside 1 µs") == true)
        // Eleven lines with eleven debounce periods need eleven attributes; uAPI v2 has ten.
        let debounced = (0..<11).map { GPIOLineRequestConfiguration.Line(offset: UInt32($0), settings: .input(edges: .both, debounce: .milliseconds($0 + 1))) }
        #expect(reason(GPIOLineRequestConfiguration(lines: debounced))?.hasPrefix("these lines need 11 configuration attributes and uAPI v2 allows 10") == true)
    }

    @Test func moreThan64LinesAreRefused() throws {
        let lines = (0..<65).map { GPIOLineRequestConfiguration.Line(offset: UInt32($0), settings: .input()) }
        #expect(throws: GPIOError.invalidRequest(
            chip: "gpiochip0 [pinctrl-bcm2711]", request: GPIOLineRequestConfiguration(lines: lines).description,
            reason: "65 lines in one request; uAPI v2 takes at most 64")) {
            let device = RecordingChipDevice(label: "pinctrl-bcm2711", lines: (0..<70).map { _ in .init(name: "") })
            _ = try GPIOChip(device: device).request(GPIOLineRequestConfiguration(lines: lines))
        }
    }

    @Test func theRequestDescriptionNamesEveryLineAndTheConsumer() {
        let configuration = GPIOLineRequestConfiguration(lines: [
            .init(offset: 17, settings: .output(initiallyActive: false, activeLow: true)),
            .init(offset: 27, settings: .input(bias: .pullUp, edges: .both, debounce: .microseconds(1500))),
            .init(offset: 5, settings: .input(bias: .pullDown, edges: .falling, debounce: .milliseconds(5))),
        ])
        #expect(
            configuration.description
                == "line 17 (output, initially inactive, active-low), line 27 (input, pull-up, both edges, debounce 1500 µs) "
                + "and line 5 (input, pull-down, falling edge, debounce 5 ms) for \"printedge\"")
    }

    @Test func theIoctlNumbersEncodeTheSizesSwiftLaysTheStructsOutWith() {
        #expect(Int(cgpio_request_size(cgpio_get_chip_info_request)) == MemoryLayout<gpiochip_info>.size)
        #expect(Int(cgpio_request_size(cgpio_get_line_info_request)) == MemoryLayout<gpio_v2_line_info>.size)
        #expect(Int(cgpio_request_size(cgpio_get_line_request)) == MemoryLayout<gpio_v2_line_request>.size)
        #expect(Int(cgpio_request_size(cgpio_set_values_request)) == MemoryLayout<gpio_v2_line_values>.size)
        #expect(Int(cgpio_request_size(cgpio_get_values_request)) == MemoryLayout<gpio_v2_line_values>.size)
        #expect(Int(cgpio_request_size(cgpio_set_config_request)) == MemoryLayout<gpio_v2_line_config>.size)
        // The sizes uAPI v2 fixes (and gpiolib-cdev static_asserts to be 8-byte multiples).
        #expect(MemoryLayout<gpio_v2_line_request>.size == 592)
        #expect(MemoryLayout<gpio_v2_line_event>.size == 48)
        #expect(GPIOEventReader.eventSize == 48)
    }
}
