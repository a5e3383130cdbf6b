/// A serial device node backed by a USB device: a candidate for a printer's connection.
///
/// Everything here is what udev (or the kernel's sysfs, when udev is absent) says about
/// the device at the moment it was seen; the value is read once and never refreshed, so a
/// replugged board is a new `USBSerialPort` under a possibly different `deviceNode`.
public struct USBSerialPort: Sendable, Hashable {
    /// The character device to open: `/dev/ttyACM0`, `/dev/ttyUSB1`. Kernel names follow
    /// plug order and change on a replug; never the identity of a printer.
    public var deviceNode: String
    /// `/dev/serial/by-id/usb-<vendor>_<model>_<serial>-if<NN>`: stable across ports, but
    /// the same for two boards without serial numbers.
    public var byIDLinks: [String]
    /// `/dev/serial/by-path/…-usb-0:1.4:1.0`: stable per physical USB socket, so it tells
    /// identical boards apart by where they are plugged in.
    public var byPathLinks: [String]
    public var usbID: USBDeviceID
    /// The USB manufacturer string (`Prusa Research (prusa3d.com)`); `nil` when the device
    /// reports none (CH340 adapters usually do not).
    public var manufacturer: String?
    /// The USB product string (`Original Prusa i3 MK3`).
    public var product: String?
    /// The USB serial number as udev exposes it (`ID_SERIAL_SHORT`: whitespace runs
    /// replaced by `_`); `nil` when the board reports none or an unusable one.
    public var serialNumber: String?
    /// The kernel driver bound to the USB interface: `cdc_acm`, `ch341`, `ftdi_sio`, `cp210x`.
    public var driver: String?
    /// The USB interface the tty belongs to (`bInterfaceNumber`); boards with two serial
    /// interfaces have one tty per interface.
    public var interfaceNumber: Int?
    /// udev's `DEVPATH`: the device's directory relative to the sysfs mount
    /// (`/devices/platform/…/1-1.4:1.0/tty/ttyACM0`).
    public var sysfsDevicePath: String

    public init(
        deviceNode: String, byIDLinks: [String] = [], byPathLinks: [String] = [], usbID: USBDeviceID,
        manufacturer: String? = nil, product: String? = nil, serialNumber: String? = nil, driver: String? = nil,
        interfaceNumber: Int? = nil, sysfsDevicePath: String
    ) {
        self.deviceNode = deviceNode
        self.byIDLinks = byIDLinks
        self.byPathLinks = byPathLinks
        self.usbID = usbID
        self.manufacturer = manufacturer
        self.product = product
        self.serialNumber = serialNumber
        self.driver = driver
        self.interfaceNumber = interfaceNumber
        self.sysfsDevicePath = sysfsDevicePath
    }

    /// Every stable link udev made for the device, by-id first.
    public var links: [String] { byIDLinks + byPathLinks }

    /// "Prusa Research (prusa3d.com) Original Prusa i3 MK3", or whichever half is known.
    public var displayName: String? {
        let parts = [manufacturer, product].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
