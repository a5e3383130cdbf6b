@testable import PrintEdgeControl
import Testing

/// The strict JSON parser the fleet's commands and the control socket's requests go through.
struct JSONValueTests {
    private func parse(_ text: String) throws(JSONValue.SyntaxError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test func readsEveryKindOfValueKeepingMemberOrder() throws {
        let value = try parse(#" {"b": [1, -2.5e3, true, false, null], "a": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#)
        #expect(value == .object([
            ("b", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null])),
            ("a", .string("x\"\\/\u{08}\u{0C}\n\r\té😀")),
        ]))
    }

    @Test func tellsIntegersFromOtherNumbers() throws {
        #expect(try parse("42").integer == 42)
        #expect(try parse("42.0").integer == nil)
        #expect(try parse("4e1").integer == nil)
        #expect(try parse("4e1").double == 40)
        #expect(try parse("99999999999999999999").integer == nil)
        #expect(try parse("1e400").double == nil)
    }

    @Test(arguments: [
        ("", 0, "expected a value, found the end of the payload"),
        ("{\"a\" 1}", 5, "expected `:` after the key \"a\", found `1`"),
        ("[1, 2", 5, "expected `,` or `]`, found the end of the payload"),
        ("{\"a\": tru}", 6, "expected a value, found `t`"),
        ("01", 1, "`1` after the end of the document"),
        ("\"\\ud800\"", 7, "a high surrogate (\\ud800) must be followed by a low one"),
        ("\"tab\there\"", 4, "a control character (byte 0x9) inside a string must be escaped"),
        ("\"\\x\"", 2, "`x` is not an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
        ("[1,]", 3, "expected a value, found `]`"),
        ("-", 1, "expected a digit, found the end of the payload"),
        ("1.", 2, "expected a digit after `.`, found the end of the payload"),
    ])
    func saysWhereAndWhyTextIsNotJSON(text: String, offset: Int, problem: String) {
        #expect(throws: JSONValue.SyntaxError(byteOffset: offset, problem: problem)) { try parse(text) }
    }

    @Test func aKeyTwiceIsRefusedByParseAndKeptAndPointedAtByScan() throws {
        let text = #"{"id": 7, "a": {"b": 1, "b": 2}, "c": 1, "c": 2}"#
        #expect(throws: JSONValue.SyntaxError(byteOffset: 24, problem: "the key \"b\" appears twice", duplicateKey: "b")) {
            try parse(text)
        }
        let scanned = try JSONValue.scan(Array(text.utf8))
        #expect(scanned.firstDuplicateKey == JSONValue.SyntaxError(byteOffset: 24, problem: "the key \"b\" appears twice", duplicateKey: "b"))
        guard case .object(let members) = scanned.value else { throw SyntaxFailure() }
        #expect(members.map(\.key) == ["id", "a", "c", "c"], "both members kept, in order")
        #expect(members.first?.value.integer == 7)
    }

    private struct SyntaxFailure: Error {}

    @Test func refusesBytesThatAreNotUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82]] {
            #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(bytes) }
        }
    }

    @Test func refusesNestingDeeperThanTheLimitWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONValue.SyntaxError(byteOffset: JSONValue.maxDepth, problem: "nested deeper than 32 levels")) {
            try parse(deep)
        }
        #expect((try? parse(String(repeating: "[", count: 31) + String(repeating: "]", count: 31))) != nil)
    }

    @Test func encodesWhatItParses() throws {
        let text = #"{"id":"c\"1\n","n":[1,2.5,null,true],"o":{},"ctl":"\u0001"}"#
        let value = try parse(text)
        #expect(String(decoding: value.encoded, as: UTF8.self) == text)
        #expect(try JSONValue.parse(value.encoded) == value)
    }
}
