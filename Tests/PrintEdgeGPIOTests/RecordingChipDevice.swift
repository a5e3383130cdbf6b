import CGPIO
import Glibc
import PrintEdgeGPIO

/// A GPIO chip that keeps every struct it is handed, exactly as the kernel would receive
/// it, and answers from a table of lines. Requests it grants are backed by a pipe, so edge
/// events written to `RecordingLineRequestDevice.send` arrive through a real descriptor.
final class RecordingChipDevice: GPIOChipDevice {
    struct Line {
        var name: String
        var consumer = ""
        var flags: UInt64 = UInt64(GPIO_V2_LINE_FLAG_INPUT.rawValue)
        var debounceMicroseconds: UInt32 = 0
        /// The level on the wire, which a request reads (inverted when active-low) until it
        /// drives the line: an output still driven, or an input's pull.
        var wire: GPIOLineLevel = .low
    }

    let path: String
    let name: String
    let label: String
    var lines: [Line]
    /// Every GPIO_V2_GET_LINE_IOCTL, including refused ones.
    private(set) var requests: [gpio_v2_line_request] = []
    /// The line ioctls in the order they were made, on the chip (GPIO_V2_GET_LINE_IOCTL) and
    /// on the requests it granted; the chip's info reads are left out.
    let ioctls = IoctlLog()
    private(set) var grantedRequests: [RecordingLineRequestDevice] = []
    /// The errno the next GPIO_V2_GET_LINE_IOCTL fails with.
    var failNextRequest: Int32?

    init(path: String = "/dev/gpiochip0", name: String = "gpiochip0", label: String = "pinctrl-rp1", lines: [Line]) {
        self.path = path
        self.name = name
        self.label = label
        self.lines = lines
    }

    /// A Raspberry Pi 5's header chip: 54 lines, named as its device tree names them.
    static func raspberryPi5(path: String = "/dev/gpiochip0", name: String = "gpiochip0", label: String = "pinctrl-rp1") -> RecordingChipDevice {
        var lines = (0..<54).map { Line(name: $0 < 28 ? "GPIO\($0)" : "") }
        lines[0].name = "ID_SDA"
        lines[1].name = "ID_SCL"
        return RecordingChipDevice(path: path, name: name, label: label, lines: lines)
    }

    func chipInfo() throws(GPIOError) -> gpiochip_info {
        var info = gpiochip_info()
        Self.write(name, into: &info.name)
        Self.write(label, into: &info.label)
        info.lines = UInt32(lines.count)
        return info
    }

    func lineInfo(offset: UInt32) throws(GPIOError) -> gpio_v2_line_info {
        guard Int(offset) < lines.count else { throw .system(operation: "GPIO_V2_GET_LINEINFO_IOCTL", path: path, errno: EINVAL) }
        let line = lines[Int(offset)]
        var info = gpio_v2_line_info()
        info.offset = offset
        Self.write(line.name, into: &info.name)
        Self.write(line.consumer, into: &info.consumer)
        info.flags = line.flags
        if line.debounceMicroseconds > 0 {
            info.num_attrs = 1
            info.attrs.0.id = GPIO_V2_LINE_ATTR_ID_DEBOUNCE.rawValue
            info.attrs.0.debounce_period_us = line.debounceMicroseconds
        }
        return info
    }

    func requestLines(_ request: inout gpio_v2_line_request) throws(GPIOError) -> any GPIOLineRequestDevice {
        requests.append(request)
        ioctls.names.append("GPIO_V2_GET_LINE_IOCTL")
        if let code = failNextRequest {
            failNextRequest = nil
            throw .system(operation: "GPIO_V2_GET_LINE_IOCTL", path: path, errno: code)
        }
        let wires = offsets(of: request).map { Int($0) < lines.count ? lines[Int($0)].wire : .low }
        let device = try RecordingLineRequestDevice(path: path, wires: wires, config: request.config, ioctls: ioctls)
        request.fd = device.eventDescriptor
        grantedRequests.append(device)
        return device
    }

    private static func write<Field>(_ text: String, into field: inout Field) {
        withUnsafeMutableBytes(of: &field) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: text.utf8.prefix(raw.count - 1))
        }
    }
}

/// The names of the ioctls a chip and its requests were asked for, in order.
final class IoctlLog {
    var names: [String] = []
}

/// A granted request: records values and configurations, answers reads from `levels`, and
/// carries edge events through a pipe.
final class RecordingLineRequestDevice: GPIOLineRequestDevice {
    let eventDescriptor: Int32
    private let writeDescriptor: Int32
    private let path: String
    private let ioctls: IoctlLog
    private let lineCount: Int
    private(set) var setValuesCalls: [gpio_v2_line_values] = []
    private(set) var getValuesCalls: [gpio_v2_line_values] = []
    private(set) var setConfigCalls: [gpio_v2_line_config] = []
    /// Line levels by request index (bit i: the i-th line), as GPIO_V2_LINE_GET_VALUES_IOCTL
    /// reports them: logical, as the kernel inverts an active-low line's.
    var levels: UInt64 = 0
    /// Which lines are active-low now, by request index.
    private(set) var activeLow: UInt64 = 0
    /// The errno the next GPIO_V2_LINE_SET_VALUES_IOCTL fails with.
    var failNextSetValues: Int32?
    private var writerOpen = true

    /// `wires`: each line's level on the wire when requested; an output the request
    /// configures takes its initial value instead, as gpiolib-cdev sets it.
    init(path: String, wires: [GPIOLineLevel], config: gpio_v2_line_config, ioctls: IoctlLog) throws(GPIOError) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw .system(operation: "pipe", path: path, errno: errno) }
        eventDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
        self.path = path
        self.ioctls = ioctls
        lineCount = wires.count
        for (index, wire) in wires.enumerated() where wire == .high { levels |= 1 << UInt64(index) }
        apply(config)
    }

    /// The level on the wire of the request's `index`-th line.
    func wire(at index: Int) -> GPIOLineLevel {
        ((levels ^ activeLow) >> UInt64(index)) & 1 != 0 ? .high : .low
    }

    /// Per line, the flags the configuration gives it and its output value, if any: the
    /// default flags unless an attribute masks the line (gpiolib-cdev's
    /// gpio_v2_line_config_flags and gpio_v2_line_config_output_value). Levels follow: an
    /// output with a value drives it, any other line keeps its wire and is read through its
    /// new polarity.
    private func apply(_ config: gpio_v2_line_config) {
        let attributes = attributes(of: config)
        for index in 0..<lineCount {
            let bit: UInt64 = 1 << UInt64(index)
            let flags = attributes.last { $0.attr.id == GPIO_V2_LINE_ATTR_ID_FLAGS.rawValue && $0.mask & bit != 0 }?.attr.flags ?? config.flags
            let lowActive = flags & flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW) != 0
            if lowActive != (activeLow & bit != 0) { levels ^= bit }
            activeLow = lowActive ? activeLow | bit : activeLow & ~bit
            let values = attributes.last { $0.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue && $0.mask & bit != 0 }
            if flags & flag(GPIO_V2_LINE_FLAG_OUTPUT) != 0, let values {
                levels = values.attr.values & bit != 0 ? levels | bit : levels & ~bit
            }
        }
    }

    deinit {
        close(eventDescriptor)
        if writerOpen { close(writeDescriptor) }
    }

    func setValues(_ values: gpio_v2_line_values) throws(GPIOError) {
        setValuesCalls.append(values)
        ioctls.names.append("GPIO_V2_LINE_SET_VALUES_IOCTL")
        if let code = failNextSetValues {
            failNextSetValues = nil
            throw .system(operation: "GPIO_V2_LINE_SET_VALUES_IOCTL", path: path, errno: code)
        }
        levels = (levels & ~values.mask) | (values.bits & values.mask)
    }

    func getValues(_ values: inout gpio_v2_line_values) throws(GPIOError) {
        getValuesCalls.append(values)
        ioctls.names.append("GPIO_V2_LINE_GET_VALUES_IOCTL")
        values.bits = levels & values.mask
    }

    func setConfig(_ config: gpio_v2_line_config) throws(GPIOError) {
        setConfigCalls.append(config)
        ioctls.names.append("GPIO_V2_LINE_SET_CONFIG_IOCTL")
        apply(config)
    }

    /// Writes real `gpio_v2_line_event` structs into the pipe, as the kernel queues them.
    func send(_ events: [gpio_v2_line_event]) {
        var bytes: [UInt8] = []
        for event in events { withUnsafeBytes(of: event) { bytes.append(contentsOf: $0) } }
        send(bytes: bytes[...])
    }

    /// Writes raw bytes, to cut an event in two.
    func send(bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { raw in
            precondition(write(writeDescriptor, raw.baseAddress, raw.count) == raw.count, "short write to the event pipe")
        }
    }

    /// Closes the writing end: the next read sees end of file.
    func closeEvents() {
        close(writeDescriptor)
        writerOpen = false
    }
}

/// A kernel edge event, as gpiolib-cdev fills it in.
func kernelEvent(
    _ edge: GPIOLineEvent.Edge, offset: UInt32, timestampNanoseconds: UInt64, sequenceNumber: UInt32, lineSequenceNumber: UInt32
) -> gpio_v2_line_event {
    var event = gpio_v2_line_event()
    event.timestamp_ns = timestampNanoseconds
    event.id = edge.rawValue
    event.offset = offset
    event.seqno = sequenceNumber
    event.line_seqno = lineSequenceNumber
    return event
}

func flag(_ flag: gpio_v2_line_flag) -> UInt64 { UInt64(flag.rawValue) }

/// The first `num_lines` offsets of a request.
func offsets(of request: gpio_v2_line_request) -> [UInt32] {
    withUnsafeBytes(of: request.offsets) { Array($0.bindMemory(to: UInt32.self).prefix(Int(request.num_lines))) }
}

/// The first `num_attrs` attributes of a configuration.
func attributes(of config: gpio_v2_line_config) -> [gpio_v2_line_config_attribute] {
    withUnsafeBytes(of: config.attrs) { Array($0.bindMemory(to: gpio_v2_line_config_attribute.self).prefix(Int(config.num_attrs))) }
}

/// The bytes of any C struct, to check padding and unused slots are zero.
func bytes<T>(of value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
}

func string<Field>(from field: Field) -> String {
    withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}
