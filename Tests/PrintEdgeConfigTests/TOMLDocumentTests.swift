import Glibc
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

@Suite struct TOMLDocumentTests {
    private func parse(_ text: String) throws -> TOMLTable {
        try TOMLDocument(parsing: text, file: "test.toml").root
    }

    private func syntaxError(_ text: String) -> ConfigurationError? {
        #expect(throws: ConfigurationError.self) { try TOMLDocument(parsing: text, file: "test.toml") }
    }

    private func table(_ value: TOMLValue?) -> TOMLTable? {
        if case .table(let table) = value?.content { table } else { nil }
    }

    @Test func keysAndValuesKeepTheirLineAndColumn() throws {
        let root = try parse("baud = 115200\n\n  name = \"Prusa\" # a comment\n")
        let baud = try #require(root.entry("baud"))
        #expect(baud.keyPosition == SourcePosition(line: 1, column: 1))
        #expect(baud.value == TOMLValue(.integer(115_200), at: SourcePosition(line: 1, column: 8)))
        let name = try #require(root.entry("name"))
        #expect(name.keyPosition == SourcePosition(line: 3, column: 3))
        #expect(name.value.position == SourcePosition(line: 3, column: 10))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let root = try parse("note = \"°C\"\n x = 1")
        #expect(root.entry("x")?.keyPosition == SourcePosition(line: 2, column: 2))
        let error = syntaxError("t = \"°°\" !")
        #expect(error?.position == SourcePosition(line: 1, column: 10))
    }

    @Test func basicStringsDecodeEveryEscape() throws {
        let root = try parse(#"s = "quote \" backslash \\ newline \n tab \t e-acute \u00E9 smile \U0001F600""#)
        #expect(root["s"]?.content == .string("quote \" backslash \\ newline \n tab \t e-acute é smile 😀"))
    }

    @Test func literalStringsKeepBackslashes() throws {
        let root = try parse(#"path = 'C:\printers\mk3s'"#)
        #expect(root["path"]?.content == .string(#"C:\printers\mk3s"#))
    }

    @Test func multiLineBasicStringsDropTheFirstNewlineAndJoinBackslashedLines() throws {
        let root = try parse("script = \"\"\"\nG28\nG1 Z5 \\\n    F600\nquote: \"\" end\"\"\"\n")
        #expect(root["script"]?.content == .string("G28\nG1 Z5 F600\nquote: \"\" end"))
    }

    @Test func multiLineLiteralStringsKeepEverythingButTheFirstNewline() throws {
        let root = try parse("script = '''\nM117 \\n is not an escape\n  indented ''quoted'''''\n")
        #expect(root["script"]?.content == .string("M117 \\n is not an escape\n  indented ''quoted''"))
    }

    @Test func integersTakeUnderscoresSignsAndRadixPrefixes() throws {
        let root = try parse("a = 1_000_000\nb = -7\nc = +3\nd = 0\ne = 0xff_FF\nf = 0o17\ng = 0b101")
        #expect(root["a"]?.content == .integer(1_000_000))
        #expect(root["b"]?.content == .integer(-7))
        #expect(root["c"]?.content == .integer(3))
        #expect(root["d"]?.content == .integer(0))
        #expect(root["e"]?.content == .integer(0xFFFF))
        #expect(root["f"]?.content == .integer(0o17))
        #expect(root["g"]?.content == .integer(5))
    }

    @Test func floatsTakeFractionsExponentsAndSpecialValues() throws {
        let root = try parse("a = 3.14\nb = -0.5\nc = 5e-3\nd = 1_000.25\ne = 1E+2\nf = -inf\ng = nan")
        #expect(root["a"]?.content == .float(3.14))
        #expect(root["b"]?.content == .float(-0.5))
        #expect(root["c"]?.content == .float(0.005))
        #expect(root["d"]?.content == .float(1000.25))
        #expect(root["e"]?.content == .float(100))
        #expect(root["f"]?.content == .float(-.infinity))
        guard case .float(let notANumber) = root["g"]?.content else {
            Issue.record("nan is not a float")
            return
        }
        #expect(notANumber.isNaN)
    }

    @Test func booleansAreTrueAndFalse() throws {
        let root = try parse("on = true\noff = false")
        #expect(root["on"]?.content == .boolean(true))
        #expect(root["off"]?.content == .boolean(false))
    }

    @Test func arraysSpanLinesWithCommentsAndATrailingComma() throws {
        let root = try parse("ports = [\n  \"/dev/ttyACM0\", # first\n  \"/dev/ttyACM1\",\n]\nempty = [ ]\nnested = [[1, 2], ['a']]")
        let ports = try #require(root["ports"])
        guard case .array(let elements) = ports.content else {
            Issue.record("ports is not an array")
            return
        }
        #expect(elements.map(\.content) == [.string("/dev/ttyACM0"), .string("/dev/ttyACM1")])
        #expect(elements.map(\.position) == [SourcePosition(line: 2, column: 3), SourcePosition(line: 3, column: 3)])
        #expect(root["empty"]?.content == .array([]))
        guard case .array(let nested) = root["nested"]?.content else {
            Issue.record("nested is not an array")
            return
        }
        #expect(nested.count == 2)
    }

    @Test func inlineTablesHoldDottedKeys() throws {
        let root = try parse("point = { x = 1, y.z = 2 }\nempty = {}")
        let point = try #require(table(root["point"]))
        #expect(point["x"]?.content == .integer(1))
        #expect(table(point["y"])?["z"]?.content == .integer(2))
        #expect(table(root["empty"])?.isEmpty == true)
    }

    @Test func dottedAndQuotedKeysMakeNestedTables() throws {
        let root = try parse("a.b.c = 1\na.b.d = 2\n\"with space\" = 3\n'dot.ted'.x = 4\n\"\" = 5")
        let b = try #require(table(table(root["a"])?["b"]))
        #expect(b.keys == ["c", "d"])
        #expect(root["with space"]?.content == .integer(3))
        #expect(table(root["dot.ted"])?["x"]?.content == .integer(4))
        #expect(root[""]?.content == .integer(5))
    }

    @Test func headersOpenTablesAndAParentMayBeDefinedAfterItsChild() throws {
        let root = try parse("[printer.serial]\nbaud = 1\n[printer]\nid = \"a\"\n[printer.serial.extra]\nx = 2")
        let printer = try #require(table(root["printer"]))
        #expect(printer["id"]?.content == .string("a"))
        #expect(root["printer"]?.position == SourcePosition(line: 3, column: 1))
        let serial = try #require(table(printer["serial"]))
        #expect(serial["baud"]?.content == .integer(1))
        #expect(table(serial["extra"])?["x"]?.content == .integer(2))
    }

    @Test func arraysOfTablesCollectEachHeaderWithItsSubtables() throws {
        let root = try parse("[[printer]]\nid = \"a\"\n[printer.serial]\nbaud = 1\n\n[[printer]]\nid = \"b\"\n")
        guard case .array(let printers) = root["printer"]?.content else {
            Issue.record("printer is not an array")
            return
        }
        #expect(printers.map(\.position) == [SourcePosition(line: 1, column: 1), SourcePosition(line: 6, column: 1)])
        #expect(table(printers[0])?["id"]?.content == .string("a"))
        #expect(table(table(printers[0])?["serial"])?["baud"]?.content == .integer(1))
        #expect(table(printers[1])?["id"]?.content == .string("b"))
    }

    @Test func crlfLineEndingsAreLineEndings() throws {
        let root = try parse("a = 1\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\n")
        #expect(root["b"]?.content == .string("x\ny"))
        #expect(root.entry("b")?.keyPosition.line == 2)
    }

    // MARK: - Mistakes

    @Test func aDuplicateKeyNamesTheKeyAndWhereItWasFirstDefined() {
        let error = syntaxError("[daemon]\nstate_directory = \"a\"\nstate_directory = \"b\"")
        #expect(error?.kind == .duplicateKey)
        #expect(error?.key == "daemon.state_directory")
        #expect(error?.position == SourcePosition(line: 3, column: 1))
        #expect(error?.message.contains("already defined at line 2, column 1") == true)
    }

    @Test func aTableDefinedTwiceIsRejected() {
        let error = syntaxError("[telemetry]\na = 1\n[telemetry]\nb = 2")
        #expect(error?.kind == .duplicateKey)
        #expect(error?.description.hasPrefix("test.toml:3:1: table [telemetry] is defined twice") == true)
    }

    @Test func dottedKeysCannotExtendATableAHeaderDefined() {
        let error = syntaxError("[a.b]\nx = 1\n[a]\nb.y = 2")
        #expect(error?.kind == .duplicateKey)
        #expect(error?.position?.line == 4)
    }

    @Test func aHeaderCannotReopenATableMadeByDottedKeys() {
        let error = syntaxError("a.b = 1\n[a]\nc = 2")
        #expect(error?.position == SourcePosition(line: 2, column: 1))
    }

    @Test func arraysOfTablesAndOtherValuesDoNotMix() {
        #expect(syntaxError("a = [1]\n[[a]]")?.position?.line == 2)
        #expect(syntaxError("[[a]]\n[a]")?.message.contains("array of tables") == true)
        #expect(syntaxError("a = {x = 1}\na.y = 2")?.position?.line == 2)
    }

    @Test func anUnterminatedStringPointsAtItsOpeningQuote() {
        let error = syntaxError("[daemon]\nstate_directory = \"printedge-state\n")
        #expect(error?.kind == .syntax)
        #expect(error?.position == SourcePosition(line: 2, column: 19))
        #expect(error?.message.contains("unterminated string") == true)
        #expect(syntaxError("s = \"\"\"\nnever closed\n")?.position == SourcePosition(line: 1, column: 5))
    }

    @Test func aBadEscapePointsAtTheBackslash() {
        let error = syntaxError(#"path = "C:\printers""#)
        #expect(error?.position == SourcePosition(line: 1, column: 11))
        #expect(error?.message.contains("bad escape \\p") == true)
        #expect(syntaxError(#"s = "\u12""#)?.message.contains("exactly 4 hexadecimal digits") == true)
        #expect(syntaxError(#"s = "\uD800""#)?.message.contains("not a Unicode scalar") == true)
    }

    @Test(arguments: [
        ("n = 0123", "leading zeros"), ("n = 1__000", "single underscores"), ("n = 1_", "single underscores"),
        ("n = 1.", "digits on both sides"), ("n = 1e", "exponent"), ("n = 12a", "single underscores"),
        ("n = 99999999999999999999", "64-bit"), ("n = -0x10", "no sign"), ("n = 0xZZ", "base-16"),
    ])
    func aBadNumberSaysWhatIsWrongWithIt(text: String, reason: String) {
        let error = syntaxError(text)
        #expect(error?.kind == .syntax)
        #expect(error?.position == SourcePosition(line: 1, column: 5))
        #expect(error?.message.contains("is not a valid number") == true)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "no error")")
    }

    @Test func garbageAfterAValueIsReportedAtItsColumn() {
        let error = syntaxError("baud = 115200 250000")
        #expect(error?.position == SourcePosition(line: 1, column: 15))
        #expect(error?.message.contains("expected the end of the line after the value, found `2`") == true)
        #expect(syntaxError("[daemon] x")?.position == SourcePosition(line: 1, column: 10))
    }

    @Test func unquotedTextIsExplainedAsAMissingQuote() {
        let error = syntaxError("name = Prusa")
        #expect(error?.message.contains("text must be quoted (\"Prusa\")") == true)
        #expect(syntaxError("baud 115200")?.message.contains("expected `=` after the key `baud`") == true)
        #expect(syntaxError("baud =")?.message.contains("expected a value") == true)
    }

    @Test func datesAndTimesAreRejectedAsUnsupported() {
        let error = syntaxError("when = 1979-05-27T07:32:00Z")
        #expect(error?.kind == .unsupported)
        #expect(error?.message.contains("not supported") == true)
        #expect(syntaxError("at = 07:32:00")?.kind == .unsupported)
    }

    @Test func inlineTablesStayOnOneLineWithoutATrailingComma() {
        #expect(syntaxError("p = { x = 1,\n y = 2 }")?.message.contains("one line") == true)
        #expect(syntaxError("p = { x = 1, }")?.message.contains("trailing comma") == true)
    }

    @Test func anUnterminatedArrayPointsAtItsBracket() {
        let error = syntaxError("a = [1, 2\n")
        #expect(error?.position == SourcePosition(line: 1, column: 5))
        #expect(syntaxError("a = [1 2]")?.message.contains("expected `,` or `]`") == true)
    }

    @Test func controlCharactersAreRejected() {
        #expect(syntaxError("s = \"a\u{7}b\"")?.message.contains("U+0007") == true)
        #expect(syntaxError("# bell \u{7}")?.message.contains("in a comment") == true)
    }

    @Test func aFileThatIsNotUTF8IsRejectedWithItsLine() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.toml", "a = 1\n")
        let stream = try #require(fopen(path, "a"))
        let bytes: [UInt8] = [0x62, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0x22, 0x0A]
        fwrite(bytes, 1, bytes.count, stream)
        fclose(stream)
        let error = #expect(throws: ConfigurationError.self) { try TOMLDocument.read(path: path) }
        #expect(error?.kind == .unreadableFile)
        #expect(error?.description.hasPrefix("\(path):2:6:") == true)
    }

    @Test func aMissingFileNamesThePathAndTheReason() {
        let error = #expect(throws: ConfigurationError.self) { try TOMLDocument.read(path: "/nonexistent/printedge.toml") }
        #expect(error?.kind == .unreadableFile)
        #expect(error?.description == "/nonexistent/printedge.toml: cannot open it: No such file or directory")
    }
}
