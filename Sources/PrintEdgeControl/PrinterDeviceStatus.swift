/// Where a printer found by its `match` stands with its USB device, for `printedge status`
/// and scripts: the device it is on, or what it waits for and why.
public struct PrinterDeviceStatus: Codable, Sendable, Equatable {
    /// The printer's match as configured: "serial number CZPX1234X004XK12345".
    public var match: String
    /// connected (a device fits and the printer uses it), waiting (none fits), ambiguous
    /// (several fit: the printer takes none), contested (the one that fits fits another
    /// printer's match too: nobody takes it).
    public var state: String
    /// The kernel's node the printer opens (`/dev/ttyACM0`): renumbers on a replug.
    public var deviceNode: String?
    /// The device's stable udev name (`/dev/serial/by-id/…`, else by-path), when udev made one.
    public var link: String?
    /// For anything but connected: what is wrong and what to do.
    public var message: String?

    public init(match: String, state: String, deviceNode: String? = nil, link: String? = nil, message: String? = nil) {
        self.match = match
        self.state = state
        self.deviceNode = deviceNode
        self.link = link
        self.message = message
    }

    /// One line for people: "on /dev/serial/by-id/… (/dev/ttyACM0)" or what it waits for.
    public var summary: String {
        guard state == "connected", let deviceNode else { return message ?? "\(state): no device fits its \(match)" }
        return link.map { "on \($0) (\(deviceNode))" } ?? "on \(deviceNode)"
    }

    enum CodingKeys: String, CodingKey {
        case match, state
        case deviceNode = "device_node"
        case link, message
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(match, forKey: .match)
        try container.encode(state, forKey: .state)
        try container.encode(deviceNode, forKey: .deviceNode)
        try container.encode(link, forKey: .link)
        try container.encode(message, forKey: .message)
    }
}
