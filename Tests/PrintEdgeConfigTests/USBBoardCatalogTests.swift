import PrintEdgeCore
import Testing
@testable import PrintEdgeConfig

@Suite struct USBBoardCatalogTests {
    private func catalog(_ text: String) throws -> USBBoardCatalog {
        try USBBoardCatalog(document: TOMLDocument(parsing: text, file: "usb-boards.toml"))
    }

    private func failure(_ text: String) -> ConfigurationError? {
        configurationError { try catalog(text) }
    }

    @Test func theShippedCatalogParsesWithDistinctIDsAndExistingProfiles() throws {
        let path = "\(packageRoot)/hardware/usb-boards.toml"
        let catalog = try USBBoardCatalog.load(path: path)
        #expect(catalog.boards.count >= 20)
        #expect(Set(catalog.boards.map(\.usbID)).count == catalog.boards.count)
        let profiles = ProfileCatalog(
            directories: ["hardware/profiles"], configurationDirectory: nil, workingDirectory: packageRoot)
        for board in catalog.boards {
            if let profile = board.profile {
                #expect(profiles.locate(profile) != nil, "board \(board.usbID) names profile \(profile), which hardware/profiles lacks")
            }
        }
        let mk3 = try #require(catalog.board(for: USBDeviceID(vendorID: 0x2C99, productID: 0x0002)))
        #expect(mk3.printer == .likely)
        #expect(mk3.profile == "prusa-mk3s")
        #expect(catalog.board(for: USBDeviceID(vendorID: 0x1A86, productID: 0x7523))?.printer == .possibly)
        #expect(catalog.board(for: USBDeviceID(vendorID: 0x1D50, productID: 0x614E))?.printer == .no)
        #expect(catalog.board(for: USBDeviceID(vendorID: 0xFFFF, productID: 0x0001)) == nil)
    }

    @Test func theShippedCatalogIsFoundFromTheCheckout() throws {
        #expect(try USBBoardCatalog.locate(workingDirectory: packageRoot) == "\(packageRoot)/hardware/usb-boards.toml")
    }

    @Test func aBoardIsReadWithEveryKey() throws {
        let catalog = try catalog(
            """
            [[board]]
            usb_id = "2C99:0002"
            name = "Einsy"
            printer = "likely"
            profile = "prusa-mk3s"
            note = "serial numbers vary"
            """)
        #expect(catalog.boards == [
            USBBoardCatalog.Board(
                usbID: USBDeviceID(vendorID: 0x2C99, productID: 0x0002), name: "Einsy", printer: .likely, profile: "prusa-mk3s",
                note: "serial numbers vary", position: SourcePosition(line: 1, column: 1)),
        ])
    }

    @Test func aDuplicateIDNamesBothLines() throws {
        let error = try #require(failure(
            """
            [[board]]
            usb_id = "1a86:7523"
            name = "CH340"
            printer = "possibly"

            [[board]]
            usb_id = "1A86:7523"
            name = "CH340 again"
            printer = "possibly"
            """))
        #expect(error.kind == .duplicateKey)
        #expect(error.position?.line == 7)
        #expect(error.message == "usb_id 1a86:7523 is listed twice: here and at line 1 (CH340); keep one entry per id")
    }

    @Test func aMalformedIDSaysWhatAnIDLooksLike() throws {
        let error = try #require(failure("[[board]]\nusb_id = \"2c99-0002\"\nname = \"x\"\nprinter = \"likely\"\n"))
        #expect(error.description == "usb-boards.toml:2:10: key `board.usb_id` must be vendor:product in hex, like \"2c99:0002\", found \"2c99-0002\"")
    }

    @Test func anUnknownLikelihoodSuggestsTheClosest() throws {
        let error = try #require(failure("[[board]]\nusb_id = \"2c99:0002\"\nname = \"x\"\nprinter = \"likley\"\n"))
        #expect(error.message == "key `board.printer` must be one of \"likely\", \"possibly\", \"no\", found \"likley\"; did you mean \"likely\"?")
    }

    @Test func aMissingLikelihoodAndAnUnknownKeyAreReported() throws {
        let missing = try #require(failure("[[board]]\nusb_id = \"2c99:0002\"\nname = \"x\"\n"))
        #expect(missing.kind == .missingKey)
        #expect(missing.message.hasPrefix("board 2c99:0002 is missing the required key `printer`"))
        let unknown = try #require(failure("[[board]]\nusb_id = \"2c99:0002\"\nname = \"x\"\nprinter = \"no\"\nprofil = \"y\"\n"))
        #expect(unknown.kind == .unknownKey)
        #expect(unknown.message == "unknown key `board.profil` in board 2c99:0002; did you mean `profile`?")
    }
}
