import PrintEdgeConfig
import PrintEdgeCore
import PrintEdgeUSB

/// A configured printer's serial device as the host has it now: the node its `port` leads
/// to, or the one device its `match` fits, with the USB device above it.
struct PrinterDevice: Sendable {
    enum Presence: Sendable, Equatable {
        /// The node exists (`node`), on USB when `usb` says so.
        case present
        /// The configured port, or any device fitting the match, is absent.
        case absent
        /// Several devices fit the match: the daemon connects none of them.
        case ambiguous([USBSerialPort])
    }

    var printerID: String
    /// `port = "…"` or the match, for messages.
    var configured: String
    var presence: Presence
    /// The device node, links followed (`/dev/ttyUSB0`).
    var node: String?
    var usb: USBSerialPort?
    /// The USB device's sysfs directory (`/sys/devices/…/1-1.3`), where `power/control` is.
    var usbDevicePath: String?

    var subject: String { "printer \(printerID)" }

    /// Every configured printer with a serial device (virtual printers have a pty, not a port).
    static func find(_ configuration: DaemonConfiguration, tree: HostTree, ports: [USBSerialPort]) -> [PrinterDevice] {
        configuration.printers.compactMap { printer in
            switch printer.connection {
            case .virtual:
                return nil
            case .port(let path):
                guard let node = tree.resolve(path), tree.exists(node) else {
                    return PrinterDevice(printerID: printer.id, configured: "port = \"\(path)\"", presence: .absent)
                }
                let usb = ports.first { $0.deviceNode == node }
                return PrinterDevice(printerID: printer.id, configured: "port = \"\(path)\"", presence: .present, node: node, usb: usb,
                                     usbDevicePath: usb.flatMap { usbDevice(of: $0, tree: tree) })
            case .match(let match):
                let fitting = ports.filter(match.matches)
                let configured = "match = \(match.tomlInlineTable)"
                guard fitting.count == 1, let usb = fitting.first else {
                    return PrinterDevice(printerID: printer.id, configured: configured, presence: fitting.isEmpty ? .absent : .ambiguous(fitting))
                }
                return PrinterDevice(printerID: printer.id, configured: configured, presence: .present, node: usb.deviceNode, usb: usb,
                                     usbDevicePath: usbDevice(of: usb, tree: tree))
            }
        }
    }

    /// The USB serial devices plugged in now, read from sysfs and `/dev` under the tree
    /// (udev's database is not needed for what the checks ask), their paths as the host's.
    static func usbPorts(tree: HostTree) -> [USBSerialPort] {
        SysfsSerialPorts(sysfsRoot: tree.real("/sys"), deviceRoot: tree.real("/dev")).devices().compactMap { device in
            var properties = device.properties
            for key in ["DEVNAME", "DEVLINKS"] {
                properties[key] = properties[key].map { $0.split(separator: " ").map { tree.hostPath(String($0)) }.joined(separator: " ") }
            }
            return USBSerialPort(udevProperties: properties)
        }
    }

    /// The nearest directory above the tty holding `idVendor`: the USB device, as udev's
    /// `usb_id` finds it.
    private static func usbDevice(of port: USBSerialPort, tree: HostTree) -> String? {
        guard var directory = tree.resolve("/sys" + port.sysfsDevicePath) else { return nil }
        while directory.hasPrefix("/sys/") {
            if tree.read(directory + "/idVendor") != nil { return directory }
            directory = SysfsFiles.parent(directory)
        }
        return nil
    }
}
