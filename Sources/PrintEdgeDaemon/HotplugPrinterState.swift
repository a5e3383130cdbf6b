import PrintEdgeControl
import PrintEdgeCore

/// What a printer found by its `match` knows of its USB device: the one `HotplugTracker`
/// gave it, or why it has none.
///
/// Owned by the printer's actor and changed by two informants: `HotplugAction`s, and the
/// printer's own connection finding the node gone (a pulled cable hangs up the tty at once;
/// the hot-plug service hears of it at its next event or rescan). Either way the printer
/// then opens nothing until a device is there again: a vanished node is never retried.
struct HotplugPrinterState: Sendable {
    let match: PortMatch
    /// The device the tracker gave the printer; `nil` while the printer waits for one.
    private(set) var port: USBSerialPort?
    /// The connection found `port`'s node gone before the tracker said so.
    private(set) var nodeVanished = false
    /// Why no device was given although some fit: `ambiguous` or `contested`, with the
    /// tracker's explanation.
    private var refusal: (state: String, message: String)?

    init(match: PortMatch) {
        self.match = match
    }

    mutating func apply(_ action: HotplugAction) {
        switch action {
        case .connect(_, let port, _):
            self.port = port
            nodeVanished = false
            refusal = nil
        case .disconnect, .waiting:
            port = nil
            nodeVanished = false
            refusal = nil
        case .ambiguous:
            refusal = ("ambiguous", action.description)
        case .contested:
            refusal = ("contested", action.description)
        case .ignoredSecondMatch:
            break
        }
    }

    /// The connection found the node gone (unplugged, or the board reset and re-enumerated).
    mutating func nodeWentAway() {
        if port != nil { nodeVanished = true }
    }

    /// The node to open now, or `nil` to wait: there is no device, or its node is known to
    /// be gone and `exists` (a stat, not an open) says it has not come back under that name.
    mutating func nodeToOpen(exists: (String) -> Bool) -> String? {
        guard let port else { return nil }
        if nodeVanished {
            guard exists(port.deviceNode) else { return nil }
            nodeVanished = false
        }
        return port.deviceNode
    }

    /// The name status shows for the port: the stable udev link when there is one.
    var displayName: String {
        guard let port else { return "" }
        return port.links.first ?? port.deviceNode
    }

    var status: PrinterDeviceStatus {
        if let port, !nodeVanished {
            return PrinterDeviceStatus(match: match.description, state: "connected", deviceNode: port.deviceNode, link: port.links.first)
        }
        if let refusal {
            return PrinterDeviceStatus(match: match.description, state: refusal.state, message: refusal.message)
        }
        if let port {
            return PrinterDeviceStatus(
                match: match.description, state: "waiting", deviceNode: port.deviceNode, link: port.links.first,
                message: "\(port.deviceNode) is gone (unplugged?); waiting for a device fitting its \(match) to be plugged in")
        }
        return PrinterDeviceStatus(
            match: match.description, state: "waiting",
            message: "no USB device fits its \(match); waiting for one to be plugged in (`printedge ports` lists the devices present)")
    }
}
