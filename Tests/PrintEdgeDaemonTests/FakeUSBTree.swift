import Foundation
import PrintEdgeTestSupport

/// A `/sys` and `/dev` laid out in a scratch directory as the kernel and udev lay them out
/// for a USB CDC ACM printer board (Prusa Einsy, STM32 and LPC176x Marlin builds), except
/// that the device node is a simulator's link to its pty: the daemon's hot-plug service
/// reads the tree through the sysfs fallback, by rescans, and opens a real tty.
struct FakeUSBTree {
    /// One board's USB identity.
    struct Board {
        var vendorID = "2c99"
        var productID = "0002"
        var manufacturer = "Prusa Research (prusa3d.com)"
        var product = "Original Prusa i3 MK3"
        var serial: String

        /// The link udev would make in /dev/serial/by-id.
        var byID: String {
            let name = "\(manufacturer)_\(product)".map { $0.isLetter || $0.isNumber || "()._-".contains($0) ? $0 : "_" }
            return "usb-\(String(name))_\(serial)-if00"
        }
    }

    let root: String
    var sysfsRoot: String { "\(root)/sys" }
    var deviceRoot: String { "\(root)/dev" }

    /// A Raspberry Pi's USB host controller, under which the boards hang.
    private static let hostController = "devices/platform/soc/3f980000.usb/usb1"

    init(in scratch: TemporaryDirectory) throws {
        root = scratch.file("usb")
        for directory in ["sys/class/tty", "sys/bus/usb/drivers/cdc_acm", "dev/serial/by-id"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
    }

    /// The device node a board plugged in as `name` gets: where its simulator's link goes.
    func node(_ name: String) -> String { "\(deviceRoot)/\(name)" }

    /// The board appears as tty `name` on USB port `usbPath` (`1-1.3`): its USB device,
    /// interface and tty in sysfs, and its by-id link to `node(name)`, which must exist.
    func plugIn(_ board: Board, as name: String, usbPath: String) throws {
        let usbDevice = "\(sysfsRoot)/\(Self.hostController)/\(usbPath)"
        let interface = "\(usbDevice)/\(usbPath):1.0"
        let tty = "\(interface)/tty/\(name)"
        try FileManager.default.createDirectory(atPath: tty, withIntermediateDirectories: true)
        for (attribute, value) in [("idVendor", board.vendorID), ("idProduct", board.productID), ("manufacturer", board.manufacturer),
                                   ("product", board.product), ("serial", board.serial)] {
            try write("\(usbDevice)/\(attribute)", value)
        }
        try write("\(interface)/bInterfaceNumber", "00")
        try write("\(tty)/dev", "166:0")
        try link("\(interface)/driver", to: "\(sysfsRoot)/bus/usb/drivers/cdc_acm")
        try link("\(tty)/device", to: interface)
        try link("\(deviceRoot)/serial/by-id/\(board.byID)", to: "../../\(name)")
        // Last: the tty is listed only once it is described in full.
        try link("\(sysfsRoot)/class/tty/\(name)", to: tty)
    }

    /// The board goes: its tty's class entry first, then its USB device and by-id link.
    func unplug(_ name: String, usbPath: String) {
        let files = FileManager.default
        try? files.removeItem(atPath: "\(sysfsRoot)/class/tty/\(name)")
        try? files.removeItem(atPath: "\(sysfsRoot)/\(Self.hostController)/\(usbPath)")
        let byID = "\(deviceRoot)/serial/by-id"
        for entry in (try? files.contentsOfDirectory(atPath: byID)) ?? []
        where (try? files.destinationOfSymbolicLink(atPath: "\(byID)/\(entry)"))?.hasSuffix("/\(name)") == true {
            try? files.removeItem(atPath: "\(byID)/\(entry)")
        }
    }

    private func write(_ path: String, _ value: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data((value + "\n").utf8)) else {
            throw TestFailure("cannot create \(path)")
        }
    }

    private func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }
}
