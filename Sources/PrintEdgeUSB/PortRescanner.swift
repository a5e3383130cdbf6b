/// The hot-plug fallback when no udev monitor can be had: scan again and report the
/// difference from the previous scan as add and remove events.
///
/// A device plugged and unplugged between two scans is never seen, and one replugged
/// between two scans under the same name with the same properties reads as unchanged; a
/// printer's connection notices the latter itself (its reads fail), so the daemon's
/// reconnect covers it.
public struct PortRescanner: Sendable {
    public let scanner: USBPortScanner
    /// The devices the previous scan found.
    public private(set) var lastDevices: [UdevDevice] = []

    public init(scanner: USBPortScanner) {
        self.scanner = scanner
    }

    /// Scans and makes the result the baseline the next `rescan` is compared with.
    public mutating func scan() throws(USBError) -> USBPortScanner.Scan {
        let scan = try scanner.scan()
        lastDevices = scan.devices
        return scan
    }

    /// Scans and returns what changed since the previous scan: removals, then additions.
    public mutating func rescan() throws(USBError) -> [UdevEvent] {
        let previous = lastDevices
        let devices = try scan().devices
        return UdevEvent.changes(from: previous, to: devices)
    }
}
