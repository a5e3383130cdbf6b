import Foundation
@testable import PrintEdgeDoctor
import PrintEdgeBrokerSupport
import PrintEdgeTestSupport
import Testing

/// The broker check against a real mosquitto on 127.0.0.1: accepted, refused credentials,
/// nobody listening, a password file it cannot read.
@Suite struct BrokerCheckTests {
    private func mqtt(port: Int, username: String? = nil, passwordFile: String? = nil) -> String {
        var text = "[mqtt]\nhost = \"127.0.0.1\"\nport = \(port)\nfleet = \"farm\"\n"
        if let username { text += "username = \"\(username)\"\n" }
        if let passwordFile { text += "password_file = \"\(passwordFile)\"\n" }
        return text
    }

    @Test func theBrokerAcceptsTheConfiguredCredentialsOrSaysWhyNot() async throws {
        let broker = try await MosquittoBroker(.init(users: ["printedge": "s3cret"]))
        let host = try FakeHost()
        let passwordFile = host.tree.path("/etc/printedge/mqtt-password")
        try host.tree.write("/etc/printedge/mqtt-password", "s3cret\n", mode: 0o600)
        let accepted = await host.findings("fleet.broker", try host.configuration(mqtt(port: broker.port, username: "printedge", passwordFile: passwordFile)))
        #expect(accepted.map(\.level) == [.ok], "\(accepted)")
        #expect(accepted.first?.message.hasPrefix("the broker accepted user printedge (MQTT ") == true, "\(accepted)")
        #expect(accepted.first?.subject == "127.0.0.1:\(broker.port)")

        try host.tree.write("/etc/printedge/mqtt-password", "guess\n", mode: 0o600)
        let refused = await host.findings("fleet.broker", try host.configuration(mqtt(port: broker.port, username: "printedge", passwordFile: passwordFile)))
        #expect(refused.map(\.level) == [.problem])
        #expect(refused.first?.message.hasPrefix("the broker refused user printedge: ") == true, "\(refused)")
        #expect(refused.first?.fix?.contains("mosquitto_passwd /etc/mosquitto/passwd printedge") == true)

        let unreadable = await host.findings("fleet.broker", try host.configuration(mqtt(port: broker.port, username: "printedge", passwordFile: host.tree.path("/nowhere"))))
        #expect(unreadable.map(\.level) == [.problem])
        #expect(unreadable.first?.message.contains("mqtt.password_file") == true, "\(unreadable)")
    }

    @Test func aBrokerNobodyRunsIsAProblemAndNoMQTTIsNotApplicable() async throws {
        let host = try FakeHost()
        let down = await host.findings("fleet.broker", try host.configuration(mqtt(port: try freePort())))
        #expect(down.map(\.level) == [.problem])
        #expect(down.first?.fix?.hasPrefix("check [mqtt] host and port") == true, "\(down)")
        #expect(await host.findings("fleet.broker", try host.configuration("")).map(\.level) == [.notApplicable])
    }
}
