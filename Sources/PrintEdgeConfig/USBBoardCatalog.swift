import PrintEdgeCore

/// Known USB boards by vendor:product id (`hardware/usb-boards.toml`), so `printedge ports`
/// can say which serial devices are likely printers and which profile fits them.
///
/// An id names a chip or a board model, never one printer: a CH340 adapter is in many
/// printers and in many things that are not, hence `printer = "possibly"`.
public struct USBBoardCatalog: Sendable, Equatable {
    public enum PrinterLikelihood: String, Sendable, CaseIterable {
        /// A printer's own board (Prusa, RAMBo, Marlin on LPC176x).
        case likely
        /// A generic USB-serial chip or microcontroller id that printers use among much else.
        case possibly
        /// Known not to be a printer printedge can drive (an MMU, a Klipper MCU).
        case no
    }

    public struct Board: Sendable, Equatable {
        public var usbID: USBDeviceID
        /// For people: "Original Prusa i3 MK3/MK3S/MK3S+ (Einsy RAMBo)".
        public var name: String
        public var printer: PrinterLikelihood
        /// A profile name from `hardware/profiles` that fits the board; `nil` when none does.
        public var profile: String?
        /// Why the board is (not) a printer, or what to know before using it.
        public var note: String?
        /// Where the board is written in the catalog file.
        public var position: SourcePosition?

        public init(
            usbID: USBDeviceID, name: String, printer: PrinterLikelihood, profile: String? = nil, note: String? = nil,
            position: SourcePosition? = nil
        ) {
            self.usbID = usbID
            self.name = name
            self.printer = printer
            self.profile = profile
            self.note = note
            self.position = position
        }
    }

    /// The file the catalog was read from.
    public var file: String
    /// In file order.
    public var boards: [Board]

    public static let fileName = "usb-boards.toml"
    /// Where `locate` looks, in order: the checkout, the packaged copy, the administrator's
    /// own (the same order as profile directories; the first found wins).
    public static let searchPaths = ["hardware/\(fileName)", "/usr/share/printedge/\(fileName)", "/etc/printedge/\(fileName)"]

    public init(file: String, boards: [Board]) {
        self.file = file
        self.boards = boards
    }

    /// The board with this id, if known.
    public func board(for id: USBDeviceID) -> Board? {
        boards.first { $0.usbID == id }
    }

    /// The first of `searchPaths` that exists, relative ones in `workingDirectory` (`nil`:
    /// the process's).
    public static func locate(workingDirectory: String? = nil) throws(ConfigurationError) -> String? {
        let directory = try workingDirectory.orCurrentDirectory()
        return searchPaths.map { ConfigurationFiles.resolve($0, against: directory) }.first(where: ConfigurationFiles.isRegularFile)
    }

    /// Reads and checks the catalog at `path`.
    public static func load(path: String) throws(ConfigurationError) -> USBBoardCatalog {
        try USBBoardCatalog(document: TOMLDocument.read(path: path))
    }

    public init(document: TOMLDocument) throws(ConfigurationError) {
        var root = TableReader(document: document)
        var tables = try root.tables("board")
        try root.rejectUnknownKeys()
        var boards: [Board] = []
        for index in tables.indices {
            let board = try Self.board(reading: &tables[index])
            if let earlier = boards.first(where: { $0.usbID == board.usbID }) {
                throw tables[index].invalid(
                    "usb_id",
                    "usb_id \(board.usbID) is listed twice: here and at line \(earlier.position?.line ?? 0) (\(earlier.name)); keep one entry per id",
                    kind: .duplicateKey)
            }
            boards.append(board)
        }
        self.init(file: document.file, boards: boards)
    }

    private static func board(reading table: inout TableReader) throws(ConfigurationError) -> Board {
        let idText: String = try table.required("usb_id", meaning: "the vendor:product id in hex, as lsusb prints it: \"2c99:0002\"")
        guard let usbID = USBDeviceID(idText) else {
            throw table.invalid("usb_id", "key `board.usb_id` must be vendor:product in hex, like \"2c99:0002\", found \"\(idText)\"")
        }
        table.title = "board \(usbID)"
        let name: String = try table.required("name", .notEmpty, meaning: "what the board is, for people")
        let likelihood = try table.optionalChoice(
            "printer", choices: PrinterLikelihood.allCases.map(\.rawValue), parse: PrinterLikelihood.init(rawValue:))
        guard let likelihood else {
            throw table.missing("printer", meaning: "\"likely\", \"possibly\" or \"no\": whether a printer is behind this id")
        }
        let profile: String? = try table.optional("profile", .notEmpty)
        let note: String? = try table.optional("note", .notEmpty)
        try table.rejectUnknownKeys()
        return Board(usbID: usbID, name: name, printer: likelihood, profile: profile, note: note, position: table.position)
    }
}
