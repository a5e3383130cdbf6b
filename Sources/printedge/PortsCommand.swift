import ArgumentParser
import Foundation
import PrintEdgeConfig
import PrintEdgeCore
import PrintEdgeUSB

struct PortsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ports",
        abstract: "List serial ports and the printers likely behind them.",
        discussion: """
            Reads udev (or sysfs, where udev is absent) directly; the daemon need not run. Each \
            USB serial device is shown with its ids, names and links, whether hardware/usb-boards.toml \
            knows it as a printer, a profile that fits, and a `match` for its [[printer]] in the \
            daemon's configuration that fits this device and no other one plugged in now.
            Exit status: 0 listed (even when there is nothing to list); 74 the devices cannot be read.
            """
    )

    @Flag(help: "One JSON document for scripts: {schema, described_from_sysfs, catalog, ports} (docs/control.md).")
    var json = false

    @Option(help: ArgumentHelp("The board catalog (default: the first of \(USBBoardCatalog.searchPaths.joined(separator: ", ")) that exists).", valueName: "path"))
    var boards: String?

    @Option(help: ArgumentHelp("Read this sysfs tree instead of /sys (a host's, mounted into a container).", valueName: "path"))
    var sysfsRoot = "/sys"

    @Option(help: ArgumentHelp("Where device nodes and their /serial/by-id links are.", valueName: "path"))
    var devRoot = "/dev"

    func run() throws {
        let scan: USBPortScanner.Scan
        do {
            scan = try USBPortScanner(sysfsRoot: sysfsRoot, deviceRoot: devRoot).scan()
        } catch {
            throw CLIFailure(.ioError, "\(error)")
        }
        let ports = scan.devices.compactMap { USBSerialPort(udevProperties: $0.properties) }
        let catalog = loadCatalog()
        let entries = ports.map { PortListing.Entry(port: $0, among: ports, board: catalog?.board(for: $0.usbID)) }
        let source: String? = if case .sysfs(let reason) = scan.source { reason } else { nil }
        if json {
            return try printJSON(PortListing(describedFromSysfs: source, catalog: catalog?.file, ports: entries))
        }
        if entries.isEmpty {
            print("No USB serial devices found. Is the printer switched on, and is its USB cable a data cable (many are charge-only)? `dmesg | tail` shows what the kernel saw when it was plugged in.")
        }
        for (index, entry) in entries.enumerated() {
            if index > 0 { print("") }
            entry.printForPeople()
        }
        if let source { print("\n(described from sysfs: \(source))") }
    }

    /// The catalog, or `nil` with a warning: a missing or broken catalog must not hide the
    /// devices themselves.
    private func loadCatalog() -> USBBoardCatalog? {
        do {
            guard let path = try boards ?? USBBoardCatalog.locate() else {
                standardError("printedge: no board catalog found (looked at \(USBBoardCatalog.searchPaths.joined(separator: ", "))); boards are listed without marks")
                return nil
            }
            return try USBBoardCatalog.load(path: path)
        } catch {
            standardError("printedge: \(error); boards are listed without marks")
            return nil
        }
    }
}

/// `printedge ports --json`: every key always present, `null` when unknown.
struct PortListing: Encodable {
    /// Why devices were described from sysfs rather than udev; `null`: udev described them.
    var describedFromSysfs: String?
    /// The board catalog read; `null`: none.
    var catalog: String?
    var ports: [Entry]

    enum CodingKeys: String, CodingKey {
        case describedFromSysfs = "described_from_sysfs", catalog, ports
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(describedFromSysfs, forKey: .describedFromSysfs)
        try container.encode(catalog, forKey: .catalog)
        try container.encode(ports, forKey: .ports)
    }

    struct Entry: Encodable {
        var port: USBSerialPort
        var board: USBBoardCatalog.Board?
        /// The `match` that fits this device and no other present one, as TOML.
        var match: String?

        init(port: USBSerialPort, among ports: [USBSerialPort], board: USBBoardCatalog.Board?) {
            self.port = port
            self.board = board
            match = PortMatch.suggested(for: port, among: ports)?.tomlInlineTable
        }

        /// "likely a printer", "not a printer", or "unknown board".
        var verdict: String {
            guard let board else { return "unknown board" }
            return switch board.printer {
            case .likely: "likely a printer: \(board.name)"
            case .possibly: "possibly a printer: \(board.name)"
            case .no: "not a printer: \(board.name)"
            }
        }

        func printForPeople() {
            print("\(port.deviceNode)  \(verdict)")
            let facts: [(String, String?)] = [
                ("usb id", ([port.usbID.description] + [port.displayName].compactMap { $0 }).joined(separator: "  ")),
                ("serial", port.serialNumber ?? "none (identical boards are told apart by USB socket)"),
                ("driver", port.driver.map { driver in port.interfaceNumber.map { "\(driver), interface \($0)" } ?? driver }),
                ("by-id", port.byIDLinks.isEmpty ? nil : port.byIDLinks.joined(separator: " ")),
                ("by-path", port.byPathLinks.isEmpty ? nil : port.byPathLinks.joined(separator: " ")),
                ("note", board?.note),
            ]
            for case (let label, let value?) in facts {
                print("  \(label.padding(toLength: 8, withPad: " ", startingAt: 0))  \(value)")
            }
            guard board?.printer != .no else { return }
            let lines = [match.map { "match = \($0)" }, board?.profile.map { "profile = \"\($0)\"" }].compactMap { $0 }
            if !lines.isEmpty {
                print("  for its [[printer]] in printedge.toml:")
                for line in lines { print("    \(line)") }
            }
        }

        enum CodingKeys: String, CodingKey {
            case device, byID = "by_id", byPath = "by_path", usbID = "usb_id", manufacturer, product, serial, driver, interface
            case sysfsPath = "sysfs_path", board, match
        }

        enum BoardKeys: String, CodingKey {
            case name, printer, profile, note
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(port.deviceNode, forKey: .device)
            try container.encode(port.byIDLinks, forKey: .byID)
            try container.encode(port.byPathLinks, forKey: .byPath)
            try container.encode(port.usbID, forKey: .usbID)
            try container.encode(port.manufacturer, forKey: .manufacturer)
            try container.encode(port.product, forKey: .product)
            try container.encode(port.serialNumber, forKey: .serial)
            try container.encode(port.driver, forKey: .driver)
            try container.encode(port.interfaceNumber, forKey: .interface)
            try container.encode(port.sysfsDevicePath, forKey: .sysfsPath)
            try container.encode(match, forKey: .match)
            if let board {
                var nested = container.nestedContainer(keyedBy: BoardKeys.self, forKey: .board)
                try nested.encode(board.name, forKey: .name)
                try nested.encode(board.printer.rawValue, forKey: .printer)
                try nested.encode(board.profile, forKey: .profile)
                try nested.encode(board.note, forKey: .note)
            } else {
                try container.encodeNil(forKey: .board)
            }
        }
    }
}
