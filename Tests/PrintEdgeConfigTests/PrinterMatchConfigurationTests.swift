import PrintEdgeCore
import Testing
@testable import PrintEdgeConfig

/// `match = { … }` in a `[[printer]]`: how a printer on USB is found whatever node it gets.
@Suite struct PrinterMatchConfigurationTests {
    private func parse(_ text: String) throws -> DaemonConfiguration {
        try DaemonConfiguration(
            document: TOMLDocument(parsing: text, file: "printedge.toml"), configurationDirectory: nil,
            workingDirectory: packageRoot)
    }

    private func failure(_ text: String) -> ConfigurationError? {
        configurationError { try parse(text) }
    }

    private let mk3 = USBDeviceID(vendorID: 0x2C99, productID: 0x0002)

    @Test func eachFormOfMatchIsRead() throws {
        let configuration = try parse(
            """
            [[printer]]
            id = "by-serial"
            match = { serial = "CZPX0001" }

            [[printer]]
            id = "by-model-and-serial"
            match = { usb_id = "2C99:0002", serial = "CZPX0002" }
            profile = "prusa-mk3s"

            [[printer]]
            id = "by-socket"
            match = { path = "/dev/serial/by-path/platform-3f980000.usb-usb-0:1.2:1.0-port0" }

            [[printer]]
            id = "by-table"
            [printer.match]
            usb_id = "0483:5740"
            """)
        #expect(configuration.printers.map(\.connection) == [
            .match(.serialNumber("CZPX0001")),
            .match(.usbID(mk3, serialNumber: "CZPX0002")),
            .match(.link("/dev/serial/by-path/platform-3f980000.usb-usb-0:1.2:1.0-port0")),
            .match(.usbID(USBDeviceID(vendorID: 0x0483, productID: 0x5740), serialNumber: nil)),
        ])
        #expect(configuration.printers.map(\.profile.name) == ["marlin-generic", "prusa-mk3s", "marlin-generic", "marlin-generic"])
        #expect(configuration.printers[0].portMatch == .serialNumber("CZPX0001"))
    }

    @Test func aPrinterOnAFixedPortHasNoMatch() throws {
        let configuration = try parse("[[printer]]\nid = \"a\"\nport = \"/dev/ttyACM0\"\n")
        #expect(configuration.printers.first?.portMatch == nil)
    }

    @Test func exactlyOneOfPortMatchAndVirtualIsAllowed() throws {
        let both = try #require(failure("[[printer]]\nid = \"a\"\nport = \"/dev/ttyACM0\"\nmatch = { serial = \"X\" }\n"))
        #expect(both.description == "printedge.toml:4:9: printer `a` has both `port` and `match`: a printer is either on a fixed device or found by its match; remove one")
        let simulated = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { serial = \"X\" }\nvirtual = true\n"))
        #expect(simulated.description == "printedge.toml:4:11: printer `a` has both `match` and `virtual = true`: a printer is either on USB or simulated; remove one")
        let neither = try #require(failure("[[printer]]\nid = \"a\"\n"))
        #expect(neither.kind == .missingKey)
        #expect(neither.message.contains("`match = { serial = \"…\" }` (`printedge ports` prints one per plugged-in device)"))
        let speedup = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { serial = \"X\" }\nspeedup = 2\n"))
        #expect(speedup.description == "printedge.toml:4:11: key `printer.speedup` applies to virtual printers only, and printer `a` is found by its match")
    }

    @Test func aMatchWrittenAsAStringSaysWhatATableLooksLike() throws {
        let error = try #require(failure("[[printer]]\nid = \"a\"\nmatch = \"/dev/serial/by-id/usb-x\"\n"))
        #expect(error.kind == .wrongType)
        #expect(error.position == SourcePosition(line: 3, column: 9))
        #expect(error.message.hasPrefix("key `printer.match` must be a table such as { usb_id = \"2c99:0002\", serial = \"CZPX1234X004XK12345\" }"))
        #expect(error.message.hasSuffix("found string; `printedge ports` prints one for each plugged-in device"))
    }

    @Test func aMatchsKeysAreChecked() throws {
        let typo = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { seral = \"X\" }\n"))
        #expect(typo.description == "printedge.toml:3:11: unknown key `printer.match.seral` in the match of printer `a`; did you mean `serial`?")
        let empty = try #require(failure("[[printer]]\nid = \"a\"\nmatch = {}\n"))
        #expect(empty.kind == .missingKey)
        #expect(empty.message.hasPrefix("the match of printer `a` is empty: it needs `serial`, `usb_id` (with an optional `serial`) or `path`"))
        let badID = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { usb_id = \"2c99\" }\n"))
        #expect(badID.description == "printedge.toml:3:20: key `printer.match.usb_id` must be vendor:product in hex, as lsusb prints it (\"2c99:0002\"), found \"2c99\"")
        let nodeAsPath = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { path = \"/dev/ttyACM0\" }\n"))
        #expect(nodeAsPath.message == "key `printer.match.path` must be a udev link under /dev/serial/by-id/ or /dev/serial/by-path/, found \"/dev/ttyACM0\"; for a fixed device node write `port = \"/dev/ttyACM0\"` instead")
        let pathAndSerial = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { path = \"/dev/serial/by-id/usb-x\", serial = \"X\" }\n"))
        #expect(pathAndSerial.message == "the match of printer `a` names a link, which is one device already; remove `serial` or `path`")
        let emptySerial = try #require(failure("[[printer]]\nid = \"a\"\nmatch = { serial = \"\" }\n"))
        #expect(emptySerial.message == "key `printer.match.serial` must not be empty")
    }

    @Test func aMatchCoveringAnotherPrintersMatchIsRefused() throws {
        let error = try #require(failure(
            """
            [[printer]]
            id = "a"
            match = { usb_id = "2c99:0002" }

            [[printer]]
            id = "b"
            match = { usb_id = "2c99:0002", serial = "CZPX0001" }
            """))
        #expect(error.kind == .duplicateKey)
        #expect(error.position == SourcePosition(line: 7, column: 9))
        #expect(error.message.hasPrefix("the matches of printers `a` (line 1, USB id 2c99:0002) and `b` (USB id 2c99:0002 with serial number CZPX0001) both fit every device the narrower one names"))

        let distinct = try parse(
            """
            [[printer]]
            id = "a"
            match = { usb_id = "2c99:0002", serial = "CZPX0001" }

            [[printer]]
            id = "b"
            match = { usb_id = "2c99:0002", serial = "CZPX0002" }
            """)
        #expect(distinct.printers.count == 2)
    }
}
