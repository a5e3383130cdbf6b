import Foundation

/// A `/sys` and `/dev` laid out in a temporary directory as the kernel and udev lay them
/// out for USB serial devices: real directories, attribute files ending in a newline, and
/// relative symbolic links. Removed with everything in it afterwards. The rest of a host
/// (`/proc`, `/etc`, `/run`) is added with `write` and `link`, for checks that read a
/// whole system under a root of their choosing (`printedge doctor`).
public struct FakeDeviceTree: ~Copyable {
    public let root: String
    /// Owns the tree: removing it removes everything under `root`.
    private let directory: TemporaryDirectory
    public var sysfsRoot: String { "\(root)/sys" }
    public var deviceRoot: String { "\(root)/dev" }

    /// A Raspberry Pi's USB host controller, under which the test's devices hang.
    public static let hostController = "devices/platform/soc/3f980000.usb/usb1"

    public init() throws {
        let directory = try TemporaryDirectory()
        for folder in ["sys/class/tty", "sys/bus/usb/drivers", "sys/bus/usb-serial/drivers", "dev/serial/by-id", "dev/serial/by-path"] {
            try Self.makeDirectories("\(directory.path)/\(folder)")
        }
        self.directory = directory
        root = directory.path
    }

    /// A board with a native USB CDC ACM port (Prusa Einsy, STM32 and LPC176x Marlin
    /// builds): the tty hangs directly off interface `<usb>:1.<interface>`.
    public func addCDCACM(
        name: String, usbPath: String, vendorID: String, productID: String, manufacturer: String?, product: String?,
        serial: String?, interface: String = "00", byID: String?, byPath: String?
    ) throws {
        let usbDevice = try addUSBDevice(
            usbPath, vendorID: vendorID, productID: productID, manufacturer: manufacturer, product: product, serial: serial)
        let interfaceDirectory = try addInterface(of: usbDevice, number: interface, driver: "cdc_acm")
        try addTTY(name, under: interfaceDirectory, parent: interfaceDirectory)
        try addLinks(name, byID: byID, byPath: byPath)
    }

    /// A USB-serial adapter (CH340, FTDI, CP210x): interface, then a port device bound
    /// to the usb-serial driver, then the tty.
    public func addUSBSerial(
        name: String, usbPath: String, vendorID: String, productID: String, manufacturer: String?, product: String?,
        serial: String?, driver: String, portDriver: String, byID: String?, byPath: String?
    ) throws {
        let usbDevice = try addUSBDevice(
            usbPath, vendorID: vendorID, productID: productID, manufacturer: manufacturer, product: product, serial: serial)
        let interfaceDirectory = try addInterface(of: usbDevice, number: "00", driver: driver)
        let port = "\(interfaceDirectory)/\(name)"
        try Self.makeDirectories(port)
        try write("\(port)/port_number", "0\n")
        try Self.makeDirectories("\(sysfsRoot)/bus/usb-serial/drivers/\(portDriver)")
        try link("\(port)/driver", to: "\(sysfsRoot)/bus/usb-serial/drivers/\(portDriver)")
        try addTTY(name, under: port, parent: port)
        try addLinks(name, byID: byID, byPath: byPath)
    }

    /// A tty on an on-board UART: a `device` link, but no USB device above it.
    public func addOnboardUART(name: String) throws {
        let platformDevice = "\(sysfsRoot)/devices/platform/soc/3f201000.serial"
        try Self.makeDirectories(platformDevice)
        try addTTY(name, under: platformDevice, parent: platformDevice)
    }

    /// A virtual console: no `device` link at all.
    public func addVirtualTTY(name: String) throws {
        let directory = "\(sysfsRoot)/devices/virtual/tty/\(name)"
        try Self.makeDirectories(directory)
        try write("\(directory)/dev", "4:1\n")
        try link("\(sysfsRoot)/class/tty/\(name)", to: directory)
    }

    /// Unplugs: the tty's class entry, its USB device directory and its `/dev` links go.
    public func unplug(name: String, usbPath: String) {
        unlink("\(sysfsRoot)/class/tty/\(name)")
        try? FileManager.default.removeItem(atPath: "\(sysfsRoot)/\(Self.hostController)/\(usbPath)")
        for kind in ["by-id", "by-path"] {
            let directory = "\(deviceRoot)/serial/\(kind)"
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                var buffer = [CChar](repeating: 0, count: 4096)
                let count = readlink("\(directory)/\(entry)", &buffer, buffer.count - 1)
                if count > 0, String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasSuffix("/\(name)") {
                    unlink("\(directory)/\(entry)")
                }
            }
        }
    }

    /// The USB device's directory for `usbPath`, relative to the root (`/sys/devices/…/1-1.3`).
    public func usbDevicePath(_ usbPath: String) -> String {
        "/sys/\(Self.hostController)/\(usbPath)"
    }

    /// `relative` (`/etc/group`) under the root.
    public func path(_ relative: String) -> String {
        root + relative
    }

    /// Writes `text` to `relative` under the root, making its directories.
    public func write(_ relative: String, _ text: String, mode: mode_t = 0o644) throws {
        try Self.makeDirectories(String(path(relative).split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")))
        try write(path(relative), text)
        guard chmod(path(relative), mode) == 0 else { throw FakeTreeError("chmod \(relative) failed: errno \(errno)") }
    }

    /// A symbolic link at `relative` whose target is written as given: `/dev/ttyUSB0` in a
    /// fake `/proc/<pid>/fd` stays as the kernel writes it, naming a path of the tree.
    public func link(_ relative: String, target: String) throws {
        try Self.makeDirectories(String(path(relative).split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")))
        guard symlink(target, path(relative)) == 0 else { throw FakeTreeError("symlink \(relative) failed: errno \(errno)") }
    }

    // MARK: - Building blocks

    private func addUSBDevice(
        _ usbPath: String, vendorID: String, productID: String, manufacturer: String?, product: String?, serial: String?
    ) throws -> String {
        let directory = "\(sysfsRoot)/\(Self.hostController)/\(usbPath)"
        try Self.makeDirectories(directory)
        try write("\(directory)/idVendor", "\(vendorID)\n")
        try write("\(directory)/idProduct", "\(productID)\n")
        try write("\(directory)/bDeviceClass", "00\n")
        if let manufacturer { try write("\(directory)/manufacturer", "\(manufacturer)\n") }
        if let product { try write("\(directory)/product", "\(product)\n") }
        if let serial { try write("\(directory)/serial", "\(serial)\n") }
        return directory
    }

    private func addInterface(of usbDevice: String, number: String, driver: String) throws -> String {
        let usbName = usbDevice.split(separator: "/").last.map(String.init) ?? usbDevice
        let directory = "\(usbDevice)/\(usbName):1.\(Int(number, radix: 16) ?? 0)"
        try Self.makeDirectories(directory)
        try write("\(directory)/bInterfaceNumber", "\(number)\n")
        try write("\(directory)/bInterfaceClass", "02\n")
        try Self.makeDirectories("\(sysfsRoot)/bus/usb/drivers/\(driver)")
        try link("\(directory)/driver", to: "\(sysfsRoot)/bus/usb/drivers/\(driver)")
        return directory
    }

    private func addTTY(_ name: String, under directory: String, parent: String) throws {
        let tty = "\(directory)/tty/\(name)"
        try Self.makeDirectories(tty)
        try write("\(tty)/dev", "166:0\n")
        try write("\(tty)/uevent", "MAJOR=166\nMINOR=0\nDEVNAME=\(name)\n")
        try link("\(tty)/device", to: parent)
        try link("\(sysfsRoot)/class/tty/\(name)", to: tty)
    }

    private func addLinks(_ name: String, byID: String?, byPath: String?) throws {
        if let byID { try link("\(deviceRoot)/serial/by-id/\(byID)", to: "\(deviceRoot)/\(name)") }
        if let byPath { try link("\(deviceRoot)/serial/by-path/\(byPath)", to: "\(deviceRoot)/\(name)") }
    }

    /// A relative link, as the kernel and udev make them (`../../ttyACM0`).
    private func link(_ path: String, to target: String) throws {
        let from = path.split(separator: "/").dropLast()
        let to = target.split(separator: "/")
        var common = 0
        while common < from.count, common < to.count, from[from.startIndex + common] == to[common] { common += 1 }
        let relative = Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)
        guard symlink(relative.joined(separator: "/"), path) == 0 else { throw FakeTreeError("symlink \(path) failed: errno \(errno)") }
    }

    private func write(_ path: String, _ text: String) throws {
        guard let stream = fopen(path, "w") else { throw FakeTreeError("cannot create \(path): errno \(errno)") }
        defer { fclose(stream) }
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, stream) == bytes.count else { throw FakeTreeError("cannot write \(path)") }
    }

    private static func makeDirectories(_ path: String) throws {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/\(component)"
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw FakeTreeError("mkdir \(current) failed: errno \(errno)") }
        }
    }
}

public struct FakeTreeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
