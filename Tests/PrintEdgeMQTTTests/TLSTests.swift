import Glibc
import PrintEdgeBrokerSupport
import PrintEdgeMQTT
import Testing
import PrintEdgeTestSupport

@Suite("TLS with certificates made by openssl")
struct TLSTests {
    private static func broker(_ certificates: TestCertificates, in directory: TemporaryDirectory) async throws -> MosquittoBroker {
        try await MosquittoBroker(
            MosquittoBroker.Configuration(tls: MosquittoBroker.BrokerTLS(
                caFile: certificates.caFile, certificateFile: certificates.serverCertificateFile,
                keyFile: certificates.serverKeyFile)),
            directory: directory)
    }

    @Test("a client certificate signed by the broker's CA connects, and messages flow")
    func clientCertificateConnects() async throws {
        let directory = try TemporaryDirectory()
        let certificates = try await TestCertificates(in: directory)
        let broker = try await Self.broker(certificates, in: directory)
        let (client, log) = try await connectedClient(
            broker.options(clientID: "tls-ok") {
                $0.tls = MQTTTLSOptions(
                    caFile: certificates.caFile, certificateFile: certificates.clientCertificateFile,
                    keyFile: certificates.clientKeyFile)
            }, subscribing: ["tls/echo"])

        let id = try client.publish(topic: "tls/echo", payload: "over TLS")
        #expect(try await log.next("PUBACK") { $0.publishAcknowledgement }.messageID == id)
        #expect(try await log.next("echo") { $0.message }.payloadText == "over TLS")
        await client.stop()
    }

    @Test("a CA that did not sign the broker's certificate fails with OpenSSL's reason and what to check")
    func wrongCAFails() async throws {
        let directory = try TemporaryDirectory()
        let certificates = try await TestCertificates(in: directory)
        let broker = try await Self.broker(certificates, in: directory)
        let client = try MQTTClient(options: broker.options(clientID: "tls-wrong-ca") {
            $0.tls = MQTTTLSOptions(
                caFile: certificates.unrelatedCAFile, certificateFile: certificates.clientCertificateFile,
                keyFile: certificates.clientKeyFile)
        })
        let log = EventLog(client)
        try client.start()

        let down = try await log.next("TLS failure") { $0.disconnection }

        let error = try #require(down.error)
        guard case .connectFailed(let server, _, _, let detail, let caFile) = error else {
            Issue.record("expected connectFailed, got \(error)")
            return
        }
        #expect(server == "127.0.0.1:\(broker.port)")
        #expect(detail?.contains("certificate verify failed") == true, "\(error)")
        #expect(caFile == certificates.unrelatedCAFile)
        #expect(error.description.contains("CA file \(certificates.unrelatedCAFile) signed"), "\(error)")
        #expect(log.all.compactMap(\.connection).isEmpty)
        await client.stop()
    }

    @Test("a missing key file is refused before connecting, naming the file")
    func missingKeyFileIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let certificates = try await TestCertificates(in: directory)
        let missing = directory.file("no-such-client.key")
        let options = MQTTClientOptions(
            host: "127.0.0.1", port: 8883, clientID: "tls-missing-key",
            tls: MQTTTLSOptions(caFile: certificates.caFile, certificateFile: certificates.clientCertificateFile, keyFile: missing))

        let error = #expect(throws: MQTTError.self) { try MQTTClient(options: options) }

        #expect(error == .unreadableTLSFile(role: .keyFile, path: missing, errno: ENOENT))
        #expect(error?.description.contains(missing) == true)
        #expect(error?.description.contains("client key file") == true)
        #expect(error?.description.contains("No such file or directory") == true, "\(String(describing: error))")
    }
}
