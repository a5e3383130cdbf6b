import Glibc
import PrintEdgeCore
import Testing
@testable import PrintEdgeConfig

/// `hardware/99-printedge.rules` checked without udevd (systemd 252's `udevadm` has no
/// `verify`): every rule line is `KEY[{attribute}] OPERATOR "value"` pairs joined by commas,
/// with keys udev knows, operators that fit them, and the printer boards it lists agreeing
/// with `hardware/usb-boards.toml`.
@Suite struct UdevRulesTests {
    struct Pair: Equatable {
        var key: String
        var attribute: String?
        var operation: String
        var value: String
    }

    /// udev's match keys and assignment keys (udev(7)) that rules for a tty may use.
    private static let matchKeys: Set = ["ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "DRIVER", "DRIVERS", "ENV", "ATTR", "ATTRS", "TAG"]
    private static let assignmentKeys: Set = ["ENV", "GROUP", "MODE", "OWNER", "SYMLINK", "TAG", "GOTO", "LABEL", "OPTIONS"]

    /// The pairs of one rule line; throws at the first thing udev would reject.
    static func parse(_ line: String) throws -> [Pair] {
        var pairs: [Pair] = []
        var rest = Substring(line)
        while true {
            rest = rest.drop(while: { $0 == " " })
            guard let keyEnd = rest.firstIndex(where: { !($0.isUppercase || $0 == "_") }), keyEnd != rest.startIndex else {
                throw RuleError("expected a key at \"\(rest)\"")
            }
            let key = String(rest[..<keyEnd])
            rest = rest[keyEnd...]
            var attribute: String?
            if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { throw RuleError("unclosed { after \(key)") }
                attribute = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            }
            guard let operation = ["==", "!=", "+=", "-=", ":=", "="].first(where: { rest.hasPrefix($0) }) else {
                throw RuleError("expected an operator after \(key)")
            }
            rest = rest.dropFirst(operation.count)
            guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else {
                throw RuleError("the value of \(key) must be in double quotes, closed on the same line")
            }
            pairs.append(Pair(key: key, attribute: attribute, operation: operation, value: String(rest[rest.index(after: rest.startIndex)..<close])))
            rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
            if rest.isEmpty { return pairs }
            guard rest.first == "," else { throw RuleError("expected a comma after \(key)'s value, found \"\(rest)\"") }
            rest = rest.dropFirst()
        }
    }

    private func ruleLines() throws -> [(number: Int, text: String)] {
        let text = try ConfigurationFiles.readText(path: "\(packageRoot)/hardware/99-printedge.rules")
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let trimmed = line.drop(while: { $0 == " " })
            return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : (index + 1, String(line))
        }
    }

    @Test func everyRuleUsesKeysAndOperatorsUdevKnows() throws {
        var labels: Set<String> = []
        var gotos: Set<String> = []
        for (number, line) in try ruleLines() {
            let pairs: [Pair]
            do {
                pairs = try Self.parse(line)
            } catch {
                Issue.record("99-printedge.rules:\(number): \(error)")
                continue
            }
            for pair in pairs {
                let isMatch = pair.operation == "==" || pair.operation == "!="
                let known = isMatch ? Self.matchKeys : Self.assignmentKeys
                #expect(known.contains(pair.key), "99-printedge.rules:\(number): \(pair.key) does not take \(pair.operation)")
                #expect((pair.key == "ENV" || pair.key == "ATTR" || pair.key == "ATTRS") == (pair.attribute != nil),
                        "99-printedge.rules:\(number): \(pair.key) and its {attribute}")
                if pair.key == "LABEL" { labels.insert(pair.value) }
                if pair.key == "GOTO" { gotos.insert(pair.value) }
                if pair.key == "MODE" { #expect(pair.value.count == 4 && pair.value.allSatisfy { ("0"..."7").contains($0) }) }
                if pair.key == "SYMLINK" { #expect(!pair.value.hasPrefix("/"), "SYMLINK is relative to /dev") }
            }
        }
        #expect(!gotos.isEmpty)
        #expect(gotos.isSubset(of: labels), "every GOTO has its LABEL")
    }

    @Test func theCommentedExampleLinesAreValidRulesToo() throws {
        let text = try ConfigurationFiles.readText(path: "\(packageRoot)/hardware/99-printedge.rules")
        let examples = text.split(separator: "\n").filter { $0.hasPrefix("# ENV{") }.map { String($0.dropFirst(2)) }
        #expect(examples.count >= 3)
        for example in examples {
            let pairs = try Self.parse(example)
            #expect(pairs.contains { $0.key == "SYMLINK" && $0.operation == "+=" && $0.value.hasPrefix("printedge/") }, "\(example)")
        }
    }

    @Test func brokenRulesAreCaught() {
        #expect(throws: RuleError.self) { try Self.parse("ENV{ID_VENDOR_ID}==\"2c99, GROUP=\"dialout\"") }
        #expect(throws: RuleError.self) { try Self.parse("ENV{ID_VENDOR_ID}==2c99") }
        #expect(throws: RuleError.self) { try Self.parse("ENV{ID_VENDOR_ID}==\"2c99\" GROUP=\"dialout\"") }
        #expect(throws: RuleError.self) { try Self.parse("ENV{ID_VENDOR_ID==\"2c99\"") }
    }

    @Test func theRulesMarkEveryBoardTheCatalogCallsAPrinter() throws {
        let catalog = try USBBoardCatalog.load(path: "\(packageRoot)/hardware/usb-boards.toml")
        var marked: Set<USBDeviceID> = []
        var unmarked: Set<USBDeviceID> = []
        for (_, line) in try ruleLines() {
            let pairs = try Self.parse(line)
            guard let mark = pairs.first(where: { $0.key == "ENV" && $0.attribute == "PRINTEDGE_PRINTER" && $0.operation == "=" }) else { continue }
            let vendors = pairs.first { $0.attribute == "ID_VENDOR_ID" }?.value.split(separator: "|") ?? []
            let models = pairs.first { $0.attribute == "ID_MODEL_ID" }?.value.split(separator: "|")
            for vendor in vendors {
                let ids = catalog.boards.map(\.usbID).filter { id in
                    USBDeviceID.hex(id.vendorID) == vendor && (models?.contains { USBDeviceID.hex(id.productID) == $0 } ?? true)
                }
                if mark.value == "1" { marked.formUnion(ids) } else { unmarked.formUnion(ids) }
            }
        }
        let printers = marked.subtracting(unmarked)
        let likely = Set(catalog.boards.filter { $0.printer == .likely }.map(\.usbID))
        #expect(printers == likely, "rules mark \(printers.subtracting(likely).sorted()) in excess, miss \(likely.subtracting(printers).sorted())")
    }
}

struct RuleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
