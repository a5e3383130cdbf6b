/// A CA, a broker certificate for 127.0.0.1 and a client certificate, made with the `openssl`
/// command line tool for one test — plus a second, unrelated CA for "wrong CA" cases.
public struct TestCertificates {
    public let caFile: String
    public let serverCertificateFile: String
    public let serverKeyFile: String
    public let clientCertificateFile: String
    public let clientKeyFile: String
    public let unrelatedCAFile: String

    public init(in directory: TemporaryDirectory) async throws {
        let openssl = "/usr/bin/openssl"
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"]
        func makeCA(_ name: String) async throws -> String {
            try await runTool(openssl, ["req", "-x509"] + curve + [
                "-keyout", "\(name).key", "-out", "\(name).crt", "-days", "2", "-subj", "/CN=printedge \(name)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ], in: directory.path)
            return directory.file("\(name).crt")
        }
        func makeLeaf(_ name: String, extensions: String, serial: String) async throws {
            try directory.write("\(name).ext", extensions)
            try await runTool(openssl, ["req"] + curve + [
                "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=printedge \(name)",
            ], in: directory.path)
            try await runTool(openssl, [
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", serial,
                "-out", "\(name).crt", "-days", "2", "-extfile", "\(name).ext",
            ], in: directory.path)
        }
        caFile = try await makeCA("ca")
        unrelatedCAFile = try await makeCA("unrelated-ca")
        // libmosquitto checks the host the client connects to against subjectAltName.
        try await makeLeaf(
            "server", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", serial: "2")
        try await makeLeaf("client", extensions: "extendedKeyUsage=clientAuth\n", serial: "3")
        serverCertificateFile = directory.file("server.crt")
        serverKeyFile = directory.file("server.key")
        clientCertificateFile = directory.file("client.crt")
        clientKeyFile = directory.file("client.key")
    }
}
