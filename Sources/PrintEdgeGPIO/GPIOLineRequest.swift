import CGPIO
import Glibc

/// Lines of one chip held by this process: read and drive them, reconfigure them, read
/// their edge events.
///
/// Releasing the request (dropping the last reference) closes its descriptor and frees the
/// lines. Values are logical (see `GPIOLineSettings`): `true` is active.
public final class GPIOLineRequest {
    /// "gpiochip0 [pinctrl-rp1]".
    public let chip: String
    /// The lines in request order: bit i of every mask below is `offsets[i]`.
    public let offsets: [UInt32]
    public private(set) var settings: [GPIOLineSettings]
    private let device: any GPIOLineRequestDevice
    private var eventReader: GPIOEventReader

    init(device: any GPIOLineRequestDevice, chip: String, lines: [GPIOLineRequestConfiguration.Line]) {
        self.device = device
        self.chip = chip
        self.offsets = lines.map(\.offset)
        self.settings = lines.map(\.settings)
        self.eventReader = GPIOEventReader(chip: chip)
    }

    /// Poll it for readability; then `readEvents()`.
    public var eventDescriptor: Int32 { device.eventDescriptor }

    /// Sets the given lines together (one ioctl); lines not named keep their values.
    public func setValues(_ values: [UInt32: Bool]) throws(GPIOError) {
        var kernelValues = gpio_v2_line_values()
        for (offset, active) in values {
            let index = try index(of: offset)
            kernelValues.mask |= 1 << UInt64(index)
            if active { kernelValues.bits |= 1 << UInt64(index) }
        }
        guard kernelValues.mask != 0 else { return }
        do {
            try device.setValues(kernelValues)
        } catch .system(_, _, let code) where code == EPERM {
            // An as-is line the kernel finds to be an input is refused alike.
            let inputs = zip(offsets, settings).filter { values[$0.0] != nil && !$0.1.isOutput }.map(\.0)
            throw .notAnOutput(chip: chip, offsets: inputs)
        }
    }

    public func setValue(_ active: Bool, offset: UInt32) throws(GPIOError) {
        try setValues([offset: active])
    }

    /// Every line's value, read together (one ioctl); outputs read back what they drive.
    public func values() throws(GPIOError) -> [UInt32: Bool] {
        var kernelValues = gpio_v2_line_values()
        kernelValues.mask = offsets.count == 64 ? .max : (1 << UInt64(offsets.count)) - 1
        try device.getValues(&kernelValues)
        var values: [UInt32: Bool] = [:]
        for (index, offset) in offsets.enumerated() {
            values[offset] = kernelValues.bits & (1 << UInt64(index)) != 0
        }
        return values
    }

    public func value(offset: UInt32) throws(GPIOError) -> Bool {
        let index = try index(of: offset)
        var kernelValues = gpio_v2_line_values()
        kernelValues.mask = 1 << UInt64(index)
        try device.getValues(&kernelValues)
        return kernelValues.bits & kernelValues.mask != 0
    }

    /// Changes the settings of lines in place, without releasing them (an output becomes
    /// an input for a wiring check, a debounce changes): one ioctl for the whole request.
    /// Lines not named keep their settings.
    public func reconfigure(_ changes: [UInt32: GPIOLineSettings]) throws(GPIOError) {
        var updated = settings
        for (offset, lineSettings) in changes { updated[try index(of: offset)] = lineSettings }
        let description = zip(offsets, updated).map { "line \($0) (\($1))" }.joined(separator: ", ")
        let config = try GPIOLineRequestConfiguration.kernelConfig(updated, chip: chip, request: description)
        do {
            try device.setConfig(config)
        } catch .system(_, _, let code) where code == EINVAL || code == EOPNOTSUPP || code == 524 {
            throw .rejectedByKernel(chip: chip, request: description, errno: code)
        }
        settings = updated
    }

    /// One read of the descriptor, decoded: blocks until an edge arrives unless `poll`
    /// said the descriptor is readable.
    public func readEvents() throws(GPIOError) -> [GPIOLineEvent] {
        try eventReader.read(from: device.eventDescriptor)
    }

    private func index(of offset: UInt32) throws(GPIOError) -> Int {
        guard let index = offsets.firstIndex(of: offset) else {
            throw .lineNotInRequest(chip: chip, offset: offset, requested: offsets)
        }
        return index
    }
}
