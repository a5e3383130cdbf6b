import CGPIO

/// A request for several lines of one chip, and its encoding as uAPI v2's
/// `gpio_v2_line_request`.
///
/// uAPI v2 has one default set of flags per request plus at most ten attributes, each
/// applying flags, output values or a debounce period to the lines whose bit is set in its
/// mask (bit i is the i-th line of the request). The encoding gives the most common flags
/// to the default and an attribute to each other distinct set, then one attribute for the
/// outputs' initial values and one per distinct debounce period. Whatever the kernel would
/// refuse with a bare EINVAL is refused here first, with the reason.
public struct GPIOLineRequestConfiguration: Sendable, Equatable, CustomStringConvertible {
    public struct Line: Sendable, Hashable {
        public var offset: UInt32
        public var settings: GPIOLineSettings

        public init(offset: UInt32, settings: GPIOLineSettings) {
            self.offset = offset
            self.settings = settings
        }
    }

    /// Shown as the lines' consumer by `gpioinfo` and `printedge gpio lines`, and in the
    /// "used by" of another program's EBUSY. At most 31 bytes.
    public var consumer: String
    public var lines: [Line]
    /// How many edge events the kernel keeps for this request before dropping the oldest;
    /// 0 asks for its default, 16 per line. At most 1024.
    public var eventBufferSize: Int

    public static let defaultConsumer = "printedge"
    /// GPIO_V2_LINES_MAX.
    public static let maximumLines = Int(GPIO_V2_LINES_MAX)
    /// GPIO_V2_LINE_NUM_ATTRS_MAX.
    public static let maximumAttributes = Int(GPIO_V2_LINE_NUM_ATTRS_MAX)
    /// The kernel's ceiling, GPIO_V2_LINES_MAX * 16; it silently clamps anything above.
    public static let maximumEventBufferSize = maximumLines * 16

    public init(consumer: String = defaultConsumer, lines: [Line], eventBufferSize: Int = 0) {
        self.consumer = consumer
        self.lines = lines
        self.eventBufferSize = eventBufferSize
    }

    /// "line 17 (output, initially inactive, active-low) and line 27 (input, pull-up, both
    /// edges) for \"printedge\"".
    public var description: String {
        let parts = lines.map { "line \($0.offset) (\($0.settings))" }
        let joined = parts.count <= 2 ? parts.joined(separator: " and ") : parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
        return "\(joined) for \"\(consumer)\""
    }

    /// The struct GPIO_V2_GET_LINE_IOCTL takes, or why the kernel would refuse it.
    func kernelRequest(chip: String) throws(GPIOError) -> gpio_v2_line_request {
        func refuse(_ reason: String) -> GPIOError { .invalidRequest(chip: chip, request: description, reason: reason) }
        guard !lines.isEmpty else { throw refuse("a request needs at least one line") }
        guard lines.count <= Self.maximumLines else {
            throw refuse("\(lines.count) lines in one request; uAPI v2 takes at most \(Self.maximumLines)")
        }
        var seen: Set<UInt32> = []
        for line in lines where !seen.insert(line.offset).inserted {
            throw refuse("line \(line.offset) is listed twice")
        }
        guard !consumer.isEmpty else { throw refuse("the consumer name is empty; the kernel would show \"?\" to whoever finds the line busy") }
        guard consumer.utf8.count <= GPIONameField.maximumBytes, !consumer.utf8.contains(0) else {
            throw refuse("the consumer name \"\(consumer)\" is \(consumer.utf8.count) bytes; the kernel keeps \(GPIONameField.maximumBytes)")
        }
        guard (0...Self.maximumEventBufferSize).contains(eventBufferSize) else {
            throw refuse("event buffer size \(eventBufferSize) is outside 0…\(Self.maximumEventBufferSize) (0: the kernel's default, 16 per line)")
        }

        var request = gpio_v2_line_request()
        withUnsafeMutablePointer(to: &request.offsets) { tuple in
            tuple.withMemoryRebound(to: UInt32.self, capacity: Self.maximumLines) { offsets in
                for (index, line) in lines.enumerated() { offsets[index] = line.offset }
            }
        }
        GPIONameField.write(consumer, into: &request.consumer)
        request.config = try Self.kernelConfig(lines.map(\.settings), chip: chip, request: description)
        request.num_lines = UInt32(lines.count)
        request.event_buffer_size = UInt32(eventBufferSize)
        return request
    }

    /// The `gpio_v2_line_config` for lines with these settings, in request order; also what
    /// GPIO_V2_LINE_SET_CONFIG_IOCTL takes to reconfigure a request.
    static func kernelConfig(_ settings: [GPIOLineSettings], chip: String, request: String) throws(GPIOError) -> gpio_v2_line_config {
        var attributes: [gpio_v2_line_config_attribute] = []

        let flags = settings.map(\.kernelFlags)
        var distinctFlags: [UInt64] = []
        for value in flags where !distinctFlags.contains(value) { distinctFlags.append(value) }
        // The most common flags go to the default; on a tie, the first line's.
        let defaultFlags = distinctFlags.max { a, b in
            flags.count(of: a) < flags.count(of: b)
        } ?? 0
        for value in distinctFlags where value != defaultFlags {
            var attribute = gpio_v2_line_config_attribute()
            attribute.attr.id = GPIO_V2_LINE_ATTR_ID_FLAGS.rawValue
            attribute.attr.flags = value
            attribute.mask = mask(flags.indices.filter { flags[$0] == value })
            attributes.append(attribute)
        }

        var outputs: [Int] = []
        var active: [Int] = []
        var debounceGroups: [(microseconds: UInt32, lines: [Int])] = []
        for (index, line) in settings.enumerated() {
            switch line.direction {
            case .asIs:
                guard line.bias == .asIs else {
                    throw GPIOError.invalidRequest(
                        chip: chip, request: request,
                        reason: "a \(line.bias.rawValue) bias needs the line requested as an input or an output: the kernel refuses "
                            + "a bias on a line whose direction is left as it is")
                }
            case .output(let initiallyActive, _):
                outputs.append(index)
                if initiallyActive { active.append(index) }
            case .input(_, let debounce):
                guard debounce != .zero else { continue }
                let microseconds = try debounceMicroseconds(debounce, chip: chip, request: request)
                if let group = debounceGroups.firstIndex(where: { $0.microseconds == microseconds }) {
                    debounceGroups[group].lines.append(index)
                } else {
                    debounceGroups.append((microseconds, [index]))
                }
            }
        }
        if !outputs.isEmpty {
            var attribute = gpio_v2_line_config_attribute()
            attribute.attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue
            attribute.attr.values = mask(active)
            attribute.mask = mask(outputs)
            attributes.append(attribute)
        }
        for group in debounceGroups {
            var attribute = gpio_v2_line_config_attribute()
            attribute.attr.id = GPIO_V2_LINE_ATTR_ID_DEBOUNCE.rawValue
            attribute.attr.debounce_period_us = group.microseconds
            attribute.mask = mask(group.lines)
            attributes.append(attribute)
        }
        guard attributes.count <= maximumAttributes else {
            throw GPIOError.invalidRequest(
                chip: chip, request: request,
                reason: "these lines need \(attributes.count) configuration attributes and uAPI v2 allows \(maximumAttributes); "
                    + "split them into two requests or give them fewer distinct settings")
        }

        var config = gpio_v2_line_config()
        config.flags = defaultFlags
        config.num_attrs = UInt32(attributes.count)
        withUnsafeMutablePointer(to: &config.attrs) { tuple in
            tuple.withMemoryRebound(to: gpio_v2_line_config_attribute.self, capacity: maximumAttributes) { slots in
                for (index, attribute) in attributes.enumerated() { slots[index] = attribute }
            }
        }
        return config
    }

    private static func mask(_ indices: [Int]) -> UInt64 {
        indices.reduce(0) { $0 | (1 << UInt64($1)) }
    }

    private static func debounceMicroseconds(_ debounce: Duration, chip: String, request: String) throws(GPIOError) -> UInt32 {
        let (seconds, attoseconds) = debounce.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        guard debounce > .zero, microseconds >= 1, microseconds <= Int64(UInt32.max) else {
            throw GPIOError.invalidRequest(
                chip: chip, request: request,
                reason: "a debounce period of \(debounce) is outside 1 µs…\(UInt32.max) µs (the kernel counts it in whole microseconds)")
        }
        return UInt32(microseconds)
    }
}

extension Array where Element: Equatable {
    fileprivate func count(of element: Element) -> Int {
        reduce(0) { $0 + ($1 == element ? 1 : 0) }
    }
}
