import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

@Suite struct HTTPSettingsTests {
    private let printer = "[[printer]]\nid = \"sim\"\nvirtual = true\n"

    private func load(_ http: String?) throws -> HTTPSettings {
        let directory = try TemporaryDirectory()
        let path = try directory.write("printedge.toml", (http.map { "[http]\n" + $0 } ?? "") + printer)
        return try DaemonConfiguration.load(path: path, workingDirectory: packageRoot).http
    }

    private func failure(_ http: String) throws -> ConfigurationError {
        try #require(configurationError { try load(http) })
    }

    @Test func theListenerIsOnLoopbackByDefault() throws {
        #expect(try load(nil) == HTTPSettings(listen: .address(host: "127.0.0.1", port: 9876)))
        #expect(try load("") == HTTPSettings())
        #expect(try load("listen = \"loopback\"\n").listen == .address(host: "127.0.0.1", port: 9876))
    }

    @Test func offAnAddressOrAnIPv6AddressAreRead() throws {
        #expect(try load("listen = \"off\"\n").listen == .off)
        #expect(try load("listen = \"0.0.0.0:9100\"\n").listen == .address(host: "0.0.0.0", port: 9100))
        #expect(try load("listen = \"[::1]:0\"\n").listen == .address(host: "::1", port: 0))
        #expect(HTTPSettings.Listen.address(host: "::1", port: 9876).description == "[::1]:9876")
        let tokened = try load("listen = \"127.0.0.1:9876\"\nbearer_token_file = \"/etc/printedge/http-token\"\n")
        #expect(tokened.bearerTokenFile == "/etc/printedge/http-token")
    }

    @Test(arguments: ["9876", "127.0.0.1", "127.0.0.1:", ":9876", "127.0.0.1:70000", "127.0.0.1:-1", "::1:9876", "[::1]9876",
                      "[127.0.0.1]:9876", "on"])
    func aListenValueOfAnotherShapeIsRefusedWithItsLine(_ value: String) throws {
        let error = try failure("listen = \"\(value)\"\n")
        #expect(error.description.contains("printedge.toml:2:10:"), "\(error)")
        #expect(error.description.contains("key `http.listen` must be \"off\", \"loopback\" or an IP address and port"), "\(error)")
    }

    @Test func aTokenFileWithTheListenerOffIsATypoOfIntent() throws {
        let error = try failure("listen = \"off\"\nbearer_token_file = \"/etc/printedge/http-token\"\n")
        #expect(error.description.contains("`http.bearer_token_file` has no use with `listen = \"off\"`"), "\(error)")
    }

    @Test func anUnknownKeySuggestsTheKnownOne() throws {
        let error = try failure("listen_address = \"127.0.0.1:9876\"\n")
        #expect(error.description.contains("did you mean `listen`?"), "\(error)")
    }
}
