/// Lists the USB serial devices present now: libudev for the list and, where udev has
/// described a device, its properties; sysfs for every device udev has not described
/// (no udev database, or an event udev has not finished processing).
public struct USBPortScanner: Sendable {
    /// Where a scan's descriptions came from, for `printedge ports` to say.
    public enum Source: Sendable, Equatable {
        /// udev's database described every device.
        case udev
        /// Some or all devices were described from sysfs, for the reason given.
        case sysfs(reason: String)
    }

    public struct Scan: Sendable, Equatable {
        /// The ttys with a USB device above them, sorted by kernel name.
        public var devices: [UdevDevice]
        public var source: Source
    }

    public static let defaultUdevDatabase = "/run/udev/data"

    public var sysfs: SysfsSerialPorts
    /// udev's database directory; its absence means udevd never ran here.
    public var udevDatabase: String

    /// - Parameters:
    ///   - sysfsRoot: `/sys`; anything else (a test's fake tree) is read through sysfs
    ///     only, since libudev always reads the real `/sys`.
    ///   - deviceRoot: `/dev`.
    public init(sysfsRoot: String = "/sys", deviceRoot: String = "/dev", udevDatabase: String = defaultUdevDatabase) {
        sysfs = SysfsSerialPorts(sysfsRoot: sysfsRoot, deviceRoot: deviceRoot)
        self.udevDatabase = udevDatabase
    }

    /// Whether libudev reads the same tree as `sysfs`.
    public var usesLibudev: Bool { sysfs.sysfsRoot == "/sys" }

    public func scan() throws(USBError) -> Scan {
        guard usesLibudev else {
            return Scan(devices: sysfs.devices(), source: .sysfs(reason: "sysfs root \(sysfs.sysfsRoot) is not /sys"))
        }
        let udevDevices = try UdevContext().ttyDevices()
        var devices: [UdevDevice] = []
        var describedFromSysfs = 0
        for device in udevDevices {
            if device.hasUSBParent {
                devices.append(device)
            } else if device.properties["DEVPATH"]?.contains("/usb") == true,
                // Every USB device's DEVPATH passes through a `usbN` root hub: the other
                // ttys (consoles, on-board UARTs) are skipped without reading sysfs.
                let fallback = sysfs.device(named: device.sysName)
            {
                devices.append(fallback)
                describedFromSysfs += 1
            }
        }
        let source: Source
        if !SysfsFiles.isDirectory(udevDatabase) {
            source = .sysfs(reason: "udev's database \(udevDatabase) is missing (udevd is not running: a container or a minimal system)")
        } else if describedFromSysfs > 0 {
            source = .sysfs(reason: "udev has not described \(describedFromSysfs) device(s) yet")
        } else {
            source = .udev
        }
        return Scan(devices: devices, source: source)
    }
}
