/// One tty device as udev describes it: its kernel name and its property set
/// (`udevadm info --query=property`).
///
/// The property set is the one vocabulary this module speaks, whether it came from
/// libudev or was synthesised from sysfs when udev is absent, so a single parser
/// (`USBSerialPort(udevProperties:)` in PrintEdgeCore) reads both.
public struct UdevDevice: Sendable, Hashable {
    /// The kernel name: `ttyACM0`.
    public var sysName: String
    /// `DEVNAME`, `DEVPATH`, `ID_VENDOR_ID`, `DEVLINKS`, …
    public var properties: [String: String]

    public init(sysName: String, properties: [String: String]) {
        self.sysName = sysName
        self.properties = properties
    }

    /// `DEVNAME`: `/dev/ttyACM0`.
    public var deviceNode: String? { properties["DEVNAME"] }

    /// Whether udev (or the sysfs fallback) found a USB device above this tty.
    public var hasUSBParent: Bool {
        properties["ID_USB_VENDOR_ID"] != nil || properties["ID_VENDOR_ID"] != nil
    }
}
