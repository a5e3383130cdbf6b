import PrintEdgePOSIX

/// Describes USB serial ttys from sysfs and `/dev` alone, in udev's property vocabulary,
/// for when udev's database is absent (containers, minimal systems without udevd).
///
/// The kernel lays a USB tty out as (cdc_acm, the tty sits on the interface):
///
///     /sys/class/tty/ttyACM0 -> ../../devices/…/usb1/1-1/1-1.4/1-1.4:1.0/tty/ttyACM0
///     …/1-1.4:1.0/            bInterfaceNumber, driver -> …/drivers/cdc_acm
///     …/1-1.4/                idVendor, idProduct, manufacturer, product, serial
///
/// and for USB-serial adapters (ch341, ftdi_sio, cp210x) with one more level, the port:
///
///     …/1-2:1.0/ttyUSB0/tty/ttyUSB0    (…/ttyUSB0/driver -> …/usb-serial/drivers/ch341-uart)
///
/// so the interface is the nearest ancestor holding `bInterfaceNumber` and the USB device
/// the nearest holding `idVendor`; udev's `usb_id` walks the same way. Both roots are
/// parameters so tests lay out a fake tree in a temporary directory.
public struct SysfsSerialPorts: Sendable {
    /// Where sysfs is mounted: `/sys`.
    public var sysfsRoot: String
    /// Where device nodes live: `/dev` (its `serial/by-id` and `serial/by-path` give the links).
    public var deviceRoot: String

    public init(sysfsRoot: String = "/sys", deviceRoot: String = "/dev") {
        self.sysfsRoot = Self.withoutTrailingSlash(sysfsRoot)
        self.deviceRoot = Self.withoutTrailingSlash(deviceRoot)
    }

    private static func withoutTrailingSlash(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// Every tty with a USB device above it, sorted by kernel name.
    public func devices() -> [UdevDevice] {
        let links = serialLinks()
        return DirectoryListing.names(in: "\(sysfsRoot)/class/tty").compactMap { describe($0, links: links) }
    }

    /// The tty `sysName` (`ttyACM0`), or `nil` when it is absent or has no USB parent.
    public func device(named sysName: String) -> UdevDevice? {
        describe(sysName, links: serialLinks())
    }

    private func describe(_ name: String, links: [String: [String]]) -> UdevDevice? {
        let classEntry = "\(sysfsRoot)/class/tty/\(name)"
        guard let root = SysfsFiles.canonicalPath(sysfsRoot),
            let ttyDirectory = SysfsFiles.canonicalPath(classEntry),
            let parentDevice = SysfsFiles.canonicalPath("\(classEntry)/device")
        else { return nil }

        var interfaceDirectory: String?
        var usbDirectory: String?
        var directory = parentDevice
        while directory.hasPrefix(root + "/") {
            if interfaceDirectory == nil && SysfsFiles.exists("\(directory)/bInterfaceNumber") {
                interfaceDirectory = directory
            }
            if SysfsFiles.exists("\(directory)/idVendor") {
                usbDirectory = directory
                break
            }
            directory = SysfsFiles.parent(directory)
        }
        guard let usbDirectory,
            let vendorID = SysfsFiles.attribute("\(usbDirectory)/idVendor"),
            let productID = SysfsFiles.attribute("\(usbDirectory)/idProduct")
        else { return nil }

        let deviceNode = "\(deviceRoot)/\(name)"
        var properties = [
            "DEVNAME": deviceNode,
            "DEVPATH": String(ttyDirectory.dropFirst(root.count)),
            "SUBSYSTEM": "tty",
            "ID_BUS": "usb",
            "ID_VENDOR_ID": vendorID,
            "ID_MODEL_ID": productID,
        ]
        // udev names the device by its id when it reports no string.
        let manufacturer = SysfsFiles.attribute("\(usbDirectory)/manufacturer") ?? vendorID
        let product = SysfsFiles.attribute("\(usbDirectory)/product") ?? productID
        properties["ID_VENDOR"] = UdevPropertyEncoding.sanitize(manufacturer)
        properties["ID_VENDOR_ENC"] = UdevPropertyEncoding.encode(manufacturer)
        properties["ID_MODEL"] = UdevPropertyEncoding.sanitize(product)
        properties["ID_MODEL_ENC"] = UdevPropertyEncoding.encode(product)
        if let serial = SysfsFiles.attribute("\(usbDirectory)/serial"), UdevPropertyEncoding.isUsableSerialNumber(serial) {
            let short = UdevPropertyEncoding.sanitize(serial)
            if !short.isEmpty { properties["ID_SERIAL_SHORT"] = short }
        }
        if let interfaceDirectory {
            properties["ID_USB_INTERFACE_NUM"] = SysfsFiles.attribute("\(interfaceDirectory)/bInterfaceNumber")
            properties["ID_USB_DRIVER"] = SysfsFiles.linkTarget("\(interfaceDirectory)/driver").map(SysfsFiles.baseName)
        }
        if let devlinks = links[deviceNode], !devlinks.isEmpty {
            properties["DEVLINKS"] = devlinks.joined(separator: " ")
        }
        return UdevDevice(sysName: name, properties: properties)
    }

    /// `/dev/serial/by-id` and `/dev/serial/by-path` links by the node they point at.
    private func serialLinks() -> [String: [String]] {
        var links: [String: [String]] = [:]
        for kind in ["by-id", "by-path"] {
            let directory = "\(deviceRoot)/serial/\(kind)"
            for entry in DirectoryListing.names(in: directory) {
                let link = "\(directory)/\(entry)"
                guard let target = SysfsFiles.linkTarget(link) else { continue }
                links[SysfsFiles.resolve(target, from: directory), default: []].append(link)
            }
        }
        return links
    }
}
