import CGPIO
import Glibc
import PrintEdgeGPIO
import Synchronization

/// A Raspberry Pi 5's header chip at the ioctl boundary, for the daemon: it grants every
/// line request with a pipe standing for the request's descriptor, answers level reads
/// from what the test set, and records every level the daemon drives. Edges the test
/// injects are real `gpio_v2_line_event`s written into the pipe.
///
/// `@unchecked Sendable`: the daemon's GPIO thread calls it, the test reads and injects;
/// everything mutable is behind a mutex.
final class RecordingGPIOChip: GPIOChipDevice, @unchecked Sendable {
    let path = "/dev/gpiochip0"
    private let levels: Mutex<[UInt32: Bool]>
    private let granted = Mutex<[UInt32: RecordingGPIORequest]>([:])

    /// `levels`: the logical level each line reads when requested as an input or as it is
    /// (active: pressed, filament present, door closed, a relay left on); lines not given
    /// read inactive.
    init(levels: [UInt32: Bool] = [:]) {
        self.levels = Mutex(levels)
    }

    /// The request holding `offset`, once the daemon has made it.
    func request(at offset: UInt32) -> RecordingGPIORequest? {
        granted.withLock { $0[offset] }
    }

    func chipInfo() throws(GPIOError) -> gpiochip_info {
        var info = gpiochip_info()
        Self.write("gpiochip0", into: &info.name)
        Self.write("pinctrl-rp1", into: &info.label)
        info.lines = 54
        return info
    }

    func lineInfo(offset: UInt32) throws(GPIOError) -> gpio_v2_line_info {
        var info = gpio_v2_line_info()
        info.offset = offset
        Self.write(offset < 28 ? "GPIO\(offset)" : "", into: &info.name)
        return info
    }

    func requestLines(_ request: inout gpio_v2_line_request) throws(GPIOError) -> any GPIOLineRequestDevice {
        let offset = withUnsafeBytes(of: request.offsets) { $0.load(as: UInt32.self) }
        let consumer = withUnsafeBytes(of: request.consumer) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var initial = levels.withLock { $0[offset] ?? false }
        let attributes = withUnsafeBytes(of: request.config.attrs) {
            Array($0.bindMemory(to: gpio_v2_line_config_attribute.self).prefix(Int(request.config.num_attrs)))
        }
        if let values = attributes.first(where: { $0.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue }), values.mask & 1 != 0 {
            initial = values.attr.values & 1 != 0
        }
        let device = try RecordingGPIORequest(offset: offset, consumer: consumer, flags: request.config.flags, level: initial, path: path)
        request.fd = device.eventDescriptor
        granted.withLock { $0[offset] = device }
        return device
    }

    private static func write<Field>(_ text: String, into field: inout Field) {
        withUnsafeMutableBytes(of: &field) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: text.utf8.prefix(raw.count - 1))
        }
    }
}

/// One granted line: its level, the levels the daemon drove it to, and a pipe for its edges.
final class RecordingGPIORequest: GPIOLineRequestDevice, @unchecked Sendable {
    let offset: UInt32
    let consumer: String
    /// The flags of the request itself (GPIO_V2_GET_LINE_IOCTL).
    let flags: UInt64
    let eventDescriptor: Int32
    private let writeDescriptor: Int32
    private let path: String
    private struct State {
        var level: Bool
        var driven: [Bool] = []
        var reconfigurations: [UInt64] = []
        var sequenceNumber: UInt32 = 0
    }
    private let state: Mutex<State>

    init(offset: UInt32, consumer: String, flags: UInt64, level: Bool, path: String) throws(GPIOError) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw .system(operation: "pipe", path: path, errno: errno) }
        eventDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
        self.offset = offset
        self.consumer = consumer
        self.flags = flags
        self.path = path
        state = Mutex(State(level: level))
    }

    deinit {
        close(eventDescriptor)
        close(writeDescriptor)
    }

    /// The logical level now: what the daemon drove, or the input's last injected edge.
    var level: Bool { state.withLock { $0.level } }

    /// Every level the daemon set, in order (outputs), by value or by reconfiguration.
    var driven: [Bool] { state.withLock { $0.driven } }

    /// The flags of each GPIO_V2_LINE_SET_CONFIG_IOCTL, in order.
    var reconfigurations: [UInt64] { state.withLock { $0.reconfigurations } }

    func setValues(_ values: gpio_v2_line_values) throws(GPIOError) {
        guard values.mask & 1 != 0 else { return }
        state.withLock {
            $0.level = values.bits & 1 != 0
            $0.driven.append($0.level)
        }
    }

    func getValues(_ values: inout gpio_v2_line_values) throws(GPIOError) {
        values.bits = level ? values.mask & 1 : 0
    }

    /// An output's value in the new configuration becomes its level, as gpiolib-cdev sets it.
    func setConfig(_ config: gpio_v2_line_config) throws(GPIOError) {
        let attributes = withUnsafeBytes(of: config.attrs) {
            Array($0.bindMemory(to: gpio_v2_line_config_attribute.self).prefix(Int(config.num_attrs)))
        }
        let values = attributes.first { $0.attr.id == GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue && $0.mask & 1 != 0 }
        state.withLock {
            $0.reconfigurations.append(config.flags)
            guard config.flags & UInt64(GPIO_V2_LINE_FLAG_OUTPUT.rawValue) != 0, let values else { return }
            $0.level = values.attr.values & 1 != 0
            $0.driven.append($0.level)
        }
    }

    /// Writes one edge as the kernel queues it (timestamped on CLOCK_MONOTONIC) and returns
    /// the wall-clock instant of the write, in Unix nanoseconds.
    @discardableResult
    func inject(_ edge: GPIOLineEvent.Edge) -> Int64 {
        var event = gpio_v2_line_event()
        var monotonic = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        event.timestamp_ns = UInt64(monotonic.tv_sec) * 1_000_000_000 + UInt64(monotonic.tv_nsec)
        event.id = edge.rawValue
        event.offset = offset
        state.withLock {
            $0.level = edge == .rising
            $0.sequenceNumber += 1
            event.seqno = $0.sequenceNumber
            event.line_seqno = $0.sequenceNumber
        }
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let written = withUnsafeBytes(of: event) { write(writeDescriptor, $0.baseAddress, $0.count) }
        precondition(written == MemoryLayout<gpio_v2_line_event>.size, "short write to the event pipe")
        return Int64(wall.tv_sec) * 1_000_000_000 + Int64(wall.tv_nsec)
    }
}
