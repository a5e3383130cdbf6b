import CGPIO
import Glibc

/// A GPIO chip's character device (`/dev/gpiochipN`).
///
/// Opened read-write, which the line ioctls require, and close-on-exec, so a program the
/// daemon starts (a slicer, a post-processing script) does not inherit the chip.
public final class LinuxGPIOChipDevice: GPIOChipDevice {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws(GPIOError) {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw GPIOError.opening(path, errno: errno) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    public func chipInfo() throws(GPIOError) -> gpiochip_info {
        var info = gpiochip_info()
        let result = cgpio_get_chip_info(descriptor, &info)
        if result == -ENOTTY || result == -EINVAL { throw .notAChip(path: path) }
        try check(result, "GPIO_GET_CHIPINFO_IOCTL")
        return info
    }

    public func lineInfo(offset: UInt32) throws(GPIOError) -> gpio_v2_line_info {
        // The kernel rejects a request whose padding is not zero: start from a zeroed struct.
        var info = gpio_v2_line_info()
        info.offset = offset
        try check(cgpio_get_line_info(descriptor, &info), "GPIO_V2_GET_LINEINFO_IOCTL")
        return info
    }

    public func requestLines(_ request: inout gpio_v2_line_request) throws(GPIOError) -> any GPIOLineRequestDevice {
        try check(cgpio_get_line(descriptor, &request), "GPIO_V2_GET_LINE_IOCTL")
        return LinuxGPIOLineRequestDevice(descriptor: request.fd, chipPath: path)
    }

    private func check(_ result: Int32, _ operation: String) throws(GPIOError) {
        if result < 0 { throw .system(operation: operation, path: path, errno: -result) }
    }
}

/// The anonymous descriptor the kernel hands back for a line request. Closing it releases
/// the lines (outputs keep their last level on most chips, but nothing guarantees it).
final class LinuxGPIOLineRequestDevice: GPIOLineRequestDevice {
    let eventDescriptor: Int32
    private let chipPath: String

    init(descriptor: Int32, chipPath: String) {
        self.eventDescriptor = descriptor
        self.chipPath = chipPath
    }

    deinit {
        close(eventDescriptor)
    }

    func setValues(_ values: gpio_v2_line_values) throws(GPIOError) {
        var values = values
        try check(cgpio_set_values(eventDescriptor, &values), "GPIO_V2_LINE_SET_VALUES_IOCTL")
    }

    func getValues(_ values: inout gpio_v2_line_values) throws(GPIOError) {
        try check(cgpio_get_values(eventDescriptor, &values), "GPIO_V2_LINE_GET_VALUES_IOCTL")
    }

    func setConfig(_ config: gpio_v2_line_config) throws(GPIOError) {
        var config = config
        try check(cgpio_set_config(eventDescriptor, &config), "GPIO_V2_LINE_SET_CONFIG_IOCTL")
    }

    private func check(_ result: Int32, _ operation: String) throws(GPIOError) {
        if result < 0 { throw .system(operation: operation, path: chipPath, errno: -result) }
    }
}
