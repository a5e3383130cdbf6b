import CGPIO

/// One GPIO chip at the ioctl boundary: exactly the structs uAPI v2 exchanges, nothing
/// interpreted.
///
/// Everything above (`GPIOChip`, `GPIOLineRequest`) builds these structs and reads them
/// back, so a test double that records what it is handed can check, field by field, that
/// the kernel would be asked the right thing — there is no GPIO chip on the build machines
/// and gpio-sim cannot be loaded there. `LinuxGPIOChipDevice` is the real one.
public protocol GPIOChipDevice: AnyObject {
    /// The device node, for messages (`/dev/gpiochip0`).
    var path: String { get }
    /// GPIO_GET_CHIPINFO_IOCTL.
    func chipInfo() throws(GPIOError) -> gpiochip_info
    /// GPIO_V2_GET_LINEINFO_IOCTL for the line at `offset`.
    func lineInfo(offset: UInt32) throws(GPIOError) -> gpio_v2_line_info
    /// GPIO_V2_GET_LINE_IOCTL: the kernel writes the new request's descriptor into
    /// `request.fd`, hence `inout`; the returned device owns that descriptor.
    func requestLines(_ request: inout gpio_v2_line_request) throws(GPIOError) -> any GPIOLineRequestDevice
}

/// The descriptor of one line request: values, configuration, and edge events to read.
///
/// Bits and masks in `gpio_v2_line_values` and in the configuration's attributes are
/// indexed by a line's position in the request, not by its offset on the chip.
public protocol GPIOLineRequestDevice: AnyObject {
    /// Readable when edge events wait (poll it); each read yields whole
    /// `gpio_v2_line_event`s.
    var eventDescriptor: Int32 { get }
    /// GPIO_V2_LINE_SET_VALUES_IOCTL.
    func setValues(_ values: gpio_v2_line_values) throws(GPIOError)
    /// GPIO_V2_LINE_GET_VALUES_IOCTL: reads the lines selected by `values.mask` into
    /// `values.bits`.
    func getValues(_ values: inout gpio_v2_line_values) throws(GPIOError)
    /// GPIO_V2_LINE_SET_CONFIG_IOCTL: every line of the request at once.
    func setConfig(_ config: gpio_v2_line_config) throws(GPIOError)
}
