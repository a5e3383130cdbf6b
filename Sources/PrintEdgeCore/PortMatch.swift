/// How a configured printer recognises its USB serial device, whatever node the kernel gave
/// it this time.
///
/// A match may fit several devices (two boards of one model without serial numbers, a
/// board with two serial interfaces); `HotplugTracker` then connects the printer to none
/// and says so, rather than picking one: a print sent to the wrong printer is worse than
/// no print.
public enum PortMatch: Sendable, Hashable, CustomStringConvertible {
    /// A udev link to the device: `/dev/serial/by-id/…` (names the board) or
    /// `/dev/serial/by-path/…` (names the USB socket, the one way to tell apart identical
    /// boards that report no serial number).
    case link(String)
    /// The USB serial number alone, whichever vendor and product.
    case serialNumber(String)
    /// A vendor:product pair, narrowed to one board by its serial number when given.
    case usbID(USBDeviceID, serialNumber: String?)

    public func matches(_ port: USBSerialPort) -> Bool {
        switch self {
        case .link(let path):
            port.byIDLinks.contains(path) || port.byPathLinks.contains(path)
        case .serialNumber(let serial):
            port.serialNumber == serial
        case .usbID(let id, let serial):
            port.usbID == id && (serial == nil || port.serialNumber == serial)
        }
    }

    /// Whether every device `other` fits is fitted by this match too, judged from the
    /// matches alone: then a printer matched by `other` could never connect, since its
    /// device would always fit both. Used to refuse such configurations at load; matches
    /// that merely might meet (a serial number and a vendor:product of unknown relation, a
    /// link and anything else) are left to `HotplugTracker`, which reports a device that
    /// does fit both once it is plugged in.
    public func covers(_ other: PortMatch) -> Bool {
        switch (self, other) {
        case (.link(let a), .link(let b)):
            a == b
        case (.serialNumber(let a), .serialNumber(let b)), (.serialNumber(let a), .usbID(_, let b?)):
            a == b
        case (.usbID(let a, nil), .usbID(let b, _)):
            a == b
        case (.usbID(let a, let serialA?), .usbID(let b, let serialB)):
            a == b && serialA == serialB
        case (.serialNumber, _), (.usbID, _), (.link, _):
            false
        }
    }

    /// The most specific match that fits `port` and no other device in `ports` (which
    /// holds `port`): vendor/product and serial number when the board reports one (it
    /// follows the board to any socket); else the by-path link (the socket: boards
    /// without serial numbers are otherwise indistinguishable); else the by-id link.
    /// `nil` when nothing tells `port` apart from the others.
    public static func suggested(for port: USBSerialPort, among ports: [USBSerialPort]) -> PortMatch? {
        var candidates: [PortMatch] = []
        if let serial = port.serialNumber { candidates.append(.usbID(port.usbID, serialNumber: serial)) }
        candidates += port.byPathLinks.map(PortMatch.link)
        candidates += port.byIDLinks.map(PortMatch.link)
        candidates.append(.usbID(port.usbID, serialNumber: nil))
        return candidates.first { match in ports.filter(match.matches).count == 1 && match.matches(port) }
    }

    /// The match as the configuration writes it, ready to paste into a `[[printer]]`:
    /// `{ usb_id = "2c99:0002", serial = "CZPX1234X004XK12345" }`.
    public var tomlInlineTable: String {
        switch self {
        case .link(let path):
            "{ path = \(Self.tomlString(path)) }"
        case .serialNumber(let serial):
            "{ serial = \(Self.tomlString(serial)) }"
        case .usbID(let id, nil):
            "{ usb_id = \"\(id)\" }"
        case .usbID(let id, let serial?):
            "{ usb_id = \"\(id)\", serial = \(Self.tomlString(serial)) }"
        }
    }

    public var description: String {
        switch self {
        case .link(let path): "link \(path)"
        case .serialNumber(let serial): "serial number \(serial)"
        case .usbID(let id, nil): "USB id \(id)"
        case .usbID(let id, let serial?): "USB id \(id) with serial number \(serial)"
        }
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    private static func tomlString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
