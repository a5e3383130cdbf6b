import CGPIO

/// What the kernel reports about one line: its name, whether and by whom it is used, and
/// its current configuration.
public struct GPIOLineInfo: Sendable, Equatable {
    public var offset: UInt32
    /// From the device tree's `gpio-line-names`; empty when the line has none.
    public var name: String
    /// Who requested the line: a program's consumer string, or a kernel driver's label.
    /// Empty when the line is unused.
    public var consumer: String
    public var isUsed: Bool
    public var isOutput: Bool
    public var activeLow: Bool
    public var bias: GPIOLineSettings.Bias
    public var drive: GPIOLineSettings.Drive
    public var edges: GPIOLineSettings.Edges
    /// `.zero` when the line is not debounced.
    public var debounce: Duration

    public init(
        offset: UInt32, name: String, consumer: String = "", isUsed: Bool = false, isOutput: Bool = false,
        activeLow: Bool = false, bias: GPIOLineSettings.Bias = .asIs, drive: GPIOLineSettings.Drive = .pushPull,
        edges: GPIOLineSettings.Edges = .none, debounce: Duration = .zero
    ) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.isUsed = isUsed
        self.isOutput = isOutput
        self.activeLow = activeLow
        self.bias = bias
        self.drive = drive
        self.edges = edges
        self.debounce = debounce
    }

    init(kernelInfo info: gpio_v2_line_info) {
        func has(_ flag: gpio_v2_line_flag) -> Bool { info.flags & GPIOLineSettings.flag(flag) != 0 }
        let rising = has(GPIO_V2_LINE_FLAG_EDGE_RISING)
        let falling = has(GPIO_V2_LINE_FLAG_EDGE_FALLING)
        var debounce = Duration.zero
        withUnsafePointer(to: info.attrs) { tuple in
            tuple.withMemoryRebound(to: gpio_v2_line_attribute.self, capacity: Int(GPIO_V2_LINE_NUM_ATTRS_MAX)) { attributes in
                for index in 0..<min(Int(info.num_attrs), Int(GPIO_V2_LINE_NUM_ATTRS_MAX))
                where attributes[index].id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE.rawValue {
                    debounce = .microseconds(attributes[index].debounce_period_us)
                }
            }
        }
        self.init(
            offset: info.offset,
            name: GPIONameField.string(from: info.name),
            consumer: GPIONameField.string(from: info.consumer),
            isUsed: has(GPIO_V2_LINE_FLAG_USED),
            isOutput: has(GPIO_V2_LINE_FLAG_OUTPUT),
            activeLow: has(GPIO_V2_LINE_FLAG_ACTIVE_LOW),
            bias: has(GPIO_V2_LINE_FLAG_BIAS_PULL_UP)
                ? .pullUp
                : has(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN) ? .pullDown : has(GPIO_V2_LINE_FLAG_BIAS_DISABLED) ? .disabled : .asIs,
            drive: has(GPIO_V2_LINE_FLAG_OPEN_DRAIN) ? .openDrain : has(GPIO_V2_LINE_FLAG_OPEN_SOURCE) ? .openSource : .pushPull,
            edges: rising && falling ? .both : rising ? .rising : falling ? .falling : .none,
            debounce: debounce)
    }

    /// "17 GPIO17", or just "17" for an unnamed line.
    public var label: String { GPIOError.describeLine(offset, name) }
}
