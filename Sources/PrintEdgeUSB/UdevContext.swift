import CUdev
#if canImport(Glibc)
import Glibc
#endif

/// A libudev context: lists the tty subsystem and reads each device's properties.
///
/// libudev contexts are not thread-safe; this class is single-owner (not `Sendable`):
/// create one on the thread that uses it.
public final class UdevContext {
    let handle: OpaquePointer

    public init() throws(USBError) {
        errno = 0
        guard let handle = udev_new() else { throw .udevUnavailable(code: errno == 0 ? ENOMEM : errno) }
        self.handle = handle
    }

    deinit {
        udev_unref(handle)
    }

    /// Every device of the `tty` subsystem with its properties, sorted by kernel name.
    /// Without udev's database (`/run/udev/data`) the properties are the kernel's only
    /// (`DEVNAME`, `DEVPATH`, `MAJOR`, …): no `ID_*`, no `DEVLINKS`.
    public func ttyDevices() throws(USBError) -> [UdevDevice] {
        guard let enumerate = udev_enumerate_new(handle) else { throw .enumerationFailed(code: errno == 0 ? ENOMEM : errno) }
        defer { udev_enumerate_unref(enumerate) }
        var result = udev_enumerate_add_match_subsystem(enumerate, "tty")
        if result >= 0 { result = udev_enumerate_scan_devices(enumerate) }
        guard result >= 0 else { throw .enumerationFailed(code: -result) }

        var devices: [UdevDevice] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let syspath = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(handle, syspath)
            {
                devices.append(Self.describe(device))
                udev_device_unref(device)
            }
            entry = udev_list_entry_get_next(current)
        }
        return devices.sorted { $0.sysName < $1.sysName }
    }

    /// The device's kernel name and every property it has.
    static func describe(_ device: OpaquePointer) -> UdevDevice {
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) {
                properties[String(cString: name)] = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
            }
            entry = udev_list_entry_get_next(current)
        }
        let sysName = udev_device_get_sysname(device).map { String(cString: $0) } ?? ""
        return UdevDevice(sysName: sysName, properties: properties)
    }
}
