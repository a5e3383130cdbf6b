/// What the daemon must do, or tell the user, after a USB serial device came or went.
///
/// `connect` and `disconnect` change connections; the other cases change nothing and say
/// why a printer stays where it is. Each reads as a log line through `description`.
public enum HotplugAction: Sendable, Equatable, CustomStringConvertible {
    /// Open `port` for the printer. `previousDeviceNode` is the node it was last connected
    /// through, when it was connected before: the printer was found again after a replug,
    /// possibly under a new name.
    case connect(printerID: String, port: USBSerialPort, previousDeviceNode: String?)
    /// The printer's device is gone: close its connection at once. A job being printed
    /// fails with "printer unplugged"; nothing may wait on the vanished descriptor.
    case disconnect(printerID: String, deviceNode: String)
    /// The printer's match fits several devices; it connects to none of them until only
    /// one is left or the match is made more specific.
    case ambiguous(printerID: String, candidates: [USBSerialPort])
    /// The only device fitting the printer's match fits other printers' matches too; no
    /// printer takes it until the matches are made distinct.
    case contested(printerID: String, port: USBSerialPort, rivals: [String])
    /// A device fitting the printer's match appeared while the printer is connected to
    /// another one; the printer stays on the device it has.
    case ignoredSecondMatch(printerID: String, connectedTo: String, newcomer: USBSerialPort)
    /// An ambiguity or contest ended with no device fitting the match: the printer waits
    /// for its device to appear.
    case waiting(printerID: String)

    /// The printer the action concerns.
    public var printerID: String {
        switch self {
        case .connect(let id, _, _), .disconnect(let id, _), .ambiguous(let id, _), .contested(let id, _, _),
            .ignoredSecondMatch(let id, _, _), .waiting(let id):
            id
        }
    }

    public var description: String {
        switch self {
        case .connect(let id, let port, nil):
            "printer \(id): connecting to \(port.deviceNode)\(Self.naming(port))"
        case .connect(let id, let port, let previous?) where previous == port.deviceNode:
            "printer \(id): found again at \(port.deviceNode) after a replug"
        case .connect(let id, let port, let previous?):
            "printer \(id): found again at \(port.deviceNode) (was \(previous)) after a replug"
        case .disconnect(let id, let node):
            "printer \(id): unplugged (\(node) is gone); its connection is closed and a running job fails"
        case .ambiguous(let id, let candidates):
            "printer \(id): its match fits \(candidates.count) devices (\(candidates.map(\.deviceNode).joined(separator: ", "))), so it connects to none; make the match more specific (`printedge ports` suggests one per device)"
        case .contested(let id, let port, let rivals):
            "printer \(id): \(port.deviceNode)\(Self.naming(port)) also fits the match of printer \(rivals.joined(separator: ", ")), so no printer takes it; give each printer a match only its own device fits"
        case .ignoredSecondMatch(let id, let connectedTo, let newcomer):
            "printer \(id): \(newcomer.deviceNode)\(Self.naming(newcomer)) fits its match too; it stays on \(connectedTo); make the match more specific"
        case .waiting(let id):
            "printer \(id): no device fits its match any more; waiting for it to be plugged in"
        }
    }

    private static func naming(_ port: USBSerialPort) -> String {
        var facts = [port.usbID.description]
        if let name = port.displayName { facts.append(name) }
        if let serial = port.serialNumber { facts.append("serial \(serial)") }
        return " (\(facts.joined(separator: ", ")))"
    }
}
