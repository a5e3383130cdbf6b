import Foundation
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

struct FleetCommandSettingsTests {
    private static let printerAndBroker = "[[printer]]\nid = \"sim\"\nvirtual = true\n[mqtt]\nhost = \"broker\"\nfleet = \"farm\"\n"

    private func load(_ commands: String) throws -> DaemonConfiguration {
        let directory = try TemporaryDirectory()
        let path = try directory.write("printedge.toml", Self.printerAndBroker + commands)
        return try DaemonConfiguration.load(path: path, workingDirectory: packageRoot)
    }

    private func failure(_ commands: String) -> ConfigurationError? {
        configurationError { try load(commands) }
    }

    @Test func withoutTheTableEveryDefaultApplies() throws {
        #expect(try load("").mqtt?.commands == FleetCommandSettings())
        #expect(FleetCommandSettings().transferPath(stateDirectory: "/var/lib/printedge") == "/var/lib/printedge/transfers")
    }

    /// The commented `[mqtt.commands]` block of config/printedge.toml, uncommented, is the
    /// built-in default (but for the two paths, whose defaults are "none").
    @Test func theExampleFileShowsTheDefaults() throws {
        let example = try String(contentsOfFile: "\(packageRoot)/config/printedge.toml", encoding: .utf8)
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "# [mqtt.commands]"))
        var block: [String] = []
        for line in lines[(start + 1)...] {
            guard line.hasPrefix("# "), !line.hasPrefix("# [") else { break }
            let text = String(line.dropFirst(2))
            if text.hasPrefix("#") || text.hasPrefix("transfer_directory") || text.hasPrefix("download_ca_file") { continue }
            block.append(text)
        }
        #expect(block.count >= 10)
        let configuration = try load("[mqtt.commands]\n" + block.joined(separator: "\n") + "\n")
        #expect(configuration.mqtt?.commands == FleetCommandSettings())
    }

    @Test func readsEveryKey() throws {
        let configuration = try load("""
            [mqtt.commands]
            gcode_allow = ["G28", "M500"]
            gcode_allow_while_printing = []
            max_command_bytes = 1024
            transfer_directory = "/srv/transfers"
            max_file_mb = 10
            max_chunk_kb = 64
            max_transfers = 2
            transfer_expiry_s = 600
            download_connect_timeout_s = 2.5
            download_stall_timeout_s = 9
            download_attempts = 3
            download_ca_file = "/etc/ca.crt"
            """)
        #expect(configuration.mqtt?.commands == FleetCommandSettings(
            gcodeAllowed: ["G28", "M500"], gcodeAllowedWhilePrinting: [], maxCommandBytes: 1024, transferDirectory: "/srv/transfers",
            maxFileBytes: 10 << 20, maxChunkBytes: 64 << 10, maxTransfers: 2, transferExpiry: .seconds(600),
            downloadConnectTimeout: .seconds(2.5), downloadStallTimeout: .seconds(9), downloadAttempts: 3, downloadCAFile: "/etc/ca.crt"))
    }

    @Test func anAllowListEntryMustBeOneCommandWordTheProtocolDoesNotOwn() throws {
        let lowercase = try #require(failure("[mqtt.commands]\ngcode_allow = [\"G28\", \"m500\"]\n"))
        #expect(lowercase.key == "mqtt.commands.gcode_allow")
        #expect(lowercase.position?.line == 8)
        #expect(lowercase.description.contains("holds \"m500\"; each entry is one command word"))
        let renumber = try #require(failure("[mqtt.commands]\ngcode_allow_while_printing = [\"M110\"]\n"))
        #expect(renumber.description.contains("M110 renumbers the lines the daemon counts"))
    }

    @Test func anUnknownKeyIsATypo() throws {
        let error = try #require(failure("[mqtt.commands]\nmax_transfer = 3\n"))
        #expect(error.kind == .unknownKey)
        #expect(error.description.contains("did you mean `max_transfers`?"))
    }
}
