import Foundation
import PrintEdgeTestSupport
import Testing

/// Everything `printedged` refuses at start that its configuration and the files it names
/// decide, through the real binary: `--check-config` and a start give the same message,
/// pointing at the key, and the same exit status, for every such refusal.
@Suite struct StartupRefusalTests {
    /// One refusal: a configuration written into a scratch directory (and the files it
    /// names), the key the message points at, the status and what the message says.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var name: String
        var status: Int32
        /// The key whose value the message points at (`tls_ca_file`): its line and column.
        var key: String
        var says: [String]
        var configuration: @Sendable (TemporaryDirectory) throws -> String

        var testDescription: String { name }
    }

    static let profiles = repositoryRoot.appendingPathComponent("hardware/profiles").path

    /// A configuration whose one printer is on a port nobody opens before the refusal; the
    /// HTTP listener off unless `http` says otherwise (tests run side by side).
    static func configuration(_ scratch: TemporaryDirectory, daemon: String = "", http: String = "listen = \"off\"", printer: String? = nil,
                              tail: String = "") -> String {
        """
        [daemon]
        state_directory = "\(scratch.file("state"))"
        profile_directories = ["\(profiles)"]
        \(daemon)

        [http]
        \(http)

        [[printer]]
        \(printer ?? "id = \"mk\"\nport = \"\(scratch.file("no-printer"))\"\nprofile = \"printedge-sim\"")

        \(tail)
        """
    }

    static func mqtt(_ lines: String) -> String {
        "[mqtt]\nhost = \"127.0.0.1\"\nfleet = \"farm\"\n\(lines)\n"
    }

    /// A file in the way of a directory.
    static func blocker(_ scratch: TemporaryDirectory) throws -> String {
        let path = scratch.file("blocker")
        try "not a directory\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A self-signed EC certificate and its unencrypted key, made by `openssl`.
    static func certificate(_ scratch: TemporaryDirectory) throws -> (certificate: String, key: String) {
        let certificate = scratch.file("client.crt")
        let key = scratch.file("client.key")
        try runOpenSSL(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc",
                        "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=printedge test"])
        return (certificate, key)
    }

    static func runOpenSSL(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SimulatorError(description: "openssl \(arguments.joined(separator: " ")) failed") }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "the state directory is a file", status: 74, key: "state_directory",
                says: ["key `daemon.state_directory`: the state directory", "it is a file, not a directory"]) { scratch in
            configuration(scratch).replacingOccurrences(of: scratch.file("state"), with: try blocker(scratch))
        },
        Refusal(name: "the spool cannot be created", status: 74, key: "spool_directory",
                says: ["key `daemon.spool_directory`: the spool", "blocker is a file, not a directory"]) { scratch in
            configuration(scratch, daemon: "spool_directory = \"\(try blocker(scratch))/spool\"")
        },
        Refusal(name: "a file is where the control socket goes", status: 74, key: "control_socket",
                says: ["is a file, not a socket", "remove it"]) { scratch in
            configuration(scratch, daemon: "control_socket = \"\(try blocker(scratch))\"")
        },
        Refusal(name: "the default control socket path is too long", status: 78, key: "state_directory",
                says: ["a Unix socket path holds at most 107", "set `daemon.control_socket`"]) { scratch in
            configuration(scratch).replacingOccurrences(of: scratch.file("state"), with: scratch.file(String(repeating: "s", count: 80)))
        },
        Refusal(name: "the socket group does not exist", status: 78, key: "socket_group",
                says: ["group `printedge-no-such-group` does not exist on this system", "groupadd"]) { scratch in
            configuration(scratch, daemon: "socket_group = \"printedge-no-such-group\"")
        },
        Refusal(name: "a printer is called agent under [mqtt]", status: 78, key: "id",
                says: ["printer id `agent` cannot be used with [mqtt]", "rename the printer"]) { scratch in
            configuration(scratch, printer: "id = \"agent\"\nport = \"\(scratch.file("no-printer"))\"\nprofile = \"printedge-sim\"", tail: mqtt(""))
        },
        Refusal(name: "the password file is missing", status: 78, key: "password_file",
                says: ["key `mqtt.password_file`:", "cannot be read (No such file or directory)", "chmod 0600"]) { scratch in
            configuration(scratch, tail: mqtt("username = \"agent-1\"\npassword_file = \"\(scratch.file("missing-password"))\""))
        },
        Refusal(name: "the password file is empty", status: 78, key: "password_file",
                says: ["key `mqtt.password_file`:", "is empty"]) { scratch in
            let file = scratch.file("password")
            try "\n".write(toFile: file, atomically: true, encoding: .utf8)
            return configuration(scratch, tail: mqtt("username = \"agent-1\"\npassword_file = \"\(file)\""))
        },
        Refusal(name: "the CA file is missing", status: 78, key: "tls_ca_file",
                says: ["key `mqtt.tls_ca_file`:", "cannot be read (No such file or directory)", "the CA that signed the broker's certificate"]) { scratch in
            configuration(scratch, tail: mqtt("tls_ca_file = \"\(scratch.file("missing-ca.pem"))\""))
        },
        Refusal(name: "the CA file is not a certificate", status: 78, key: "tls_ca_file",
                says: ["key `mqtt.tls_ca_file`:", "holds no PEM certificate"]) { scratch in
            let file = scratch.file("ca.pem")
            try "# the CA\nbroker.example.com\n".write(toFile: file, atomically: true, encoding: .utf8)
            return configuration(scratch, tail: mqtt("tls_ca_file = \"\(file)\""))
        },
        Refusal(name: "the CA certificate lost a line", status: 78, key: "tls_ca_file",
                says: ["the CERTIFICATE block at line 1 does not decode to DER"]) { scratch in
            let (certificate, _) = try certificate(scratch)
            var lines = try String(contentsOfFile: certificate, encoding: .utf8).split(separator: "\n")
            lines.remove(at: 3)
            try (lines.joined(separator: "\n") + "\n").write(toFile: certificate, atomically: true, encoding: .utf8)
            return configuration(scratch, tail: mqtt("tls_ca_file = \"\(certificate)\""))
        },
        Refusal(name: "the client key file holds a certificate", status: 78, key: "tls_key_file",
                says: ["key `mqtt.tls_key_file`:", "holds no PEM private key", "(only CERTIFICATE)"]) { scratch in
            let (certificate, _) = try certificate(scratch)
            return configuration(scratch, tail: mqtt("tls_ca_file = \"\(certificate)\"\ntls_cert_file = \"\(certificate)\"\ntls_key_file = \"\(certificate)\""))
        },
        Refusal(name: "the client key is encrypted", status: 78, key: "tls_key_file",
                says: ["key `mqtt.tls_key_file`:", "holds an encrypted private key", "no one to type its passphrase"]) { scratch in
            let (certificate, key) = try certificate(scratch)
            let encrypted = scratch.file("encrypted.key")
            try runOpenSSL(["pkey", "-in", key, "-aes256", "-passout", "pass:secret", "-out", encrypted])
            return configuration(scratch, tail: mqtt("tls_ca_file = \"\(certificate)\"\ntls_cert_file = \"\(certificate)\"\ntls_key_file = \"\(encrypted)\""))
        },
        Refusal(name: "the download CA file is a key", status: 78, key: "download_ca_file",
                says: ["key `mqtt.commands.download_ca_file`:", "holds no PEM certificate"]) { scratch in
            let (_, key) = try certificate(scratch)
            return configuration(scratch, tail: mqtt("") + "[mqtt.commands]\ndownload_ca_file = \"\(key)\"\n")
        },
        Refusal(name: "the transfer directory cannot be created", status: 74, key: "transfer_directory",
                says: ["key `mqtt.commands.transfer_directory`: the transfer directory"]) { scratch in
            configuration(scratch, tail: mqtt("") + "[mqtt.commands]\ntransfer_directory = \"\(try blocker(scratch))/transfers\"\n")
        },
        Refusal(name: "the simulator path does not exist", status: 78, key: "simulator_path",
                says: ["key `printer.simulator_path`:", "cannot be run (No such file or directory)"]) { scratch in
            configuration(scratch, printer: "id = \"sim\"\nvirtual = true\nsimulator_path = \"\(scratch.file("no-printedge-sim"))\"")
        },
        Refusal(name: "a directory is where a virtual printer links its pty", status: 74, key: "virtual",
                says: ["where the simulator of printer `sim` links its pty, is a directory, not a symlink"]) { scratch in
            try FileManager.default.createDirectory(atPath: scratch.file("state/sim.tty"), withIntermediateDirectories: true)
            return configuration(scratch, printer: "id = \"sim\"\nvirtual = true")
        },
        Refusal(name: "the GPIO chip does not exist", status: 69, key: "chip",
                says: ["[gpio] chip:"]) { scratch in
            configuration(scratch, tail: "[gpio]\nchip = \"\(scratch.file("gpiochip9"))\"\nemergency_stop = { line = 1 }\n")
        },
        Refusal(name: "the GPIO chip is not a chip", status: 78, key: "chip",
                says: ["[gpio] chip:"]) { scratch in
            configuration(scratch, tail: "[gpio]\nchip = \"\(try blocker(scratch))\"\nemergency_stop = { line = 1 }\n")
        },
        Refusal(name: "the HTTP listener's host is a name, not an address", status: 78, key: "listen",
                says: ["key `http.listen`", "`printer-host` is not an IP address", "\"127.0.0.1:9876\""]) { scratch in
            configuration(scratch, http: "listen = \"printer-host:9876\"")
        },
        Refusal(name: "the bearer token file cannot be read", status: 78, key: "bearer_token_file",
                says: ["key `http.bearer_token_file`", "cannot be read"]) { scratch in
            configuration(scratch, http: "listen = \"127.0.0.1:0\"\nbearer_token_file = \"\(scratch.file("missing-token"))\"")
        },
        Refusal(name: "the bearer token holds a space", status: 78, key: "bearer_token_file",
                says: ["key `http.bearer_token_file`", "printable ASCII"]) { scratch in
            let file = scratch.file("token")
            try "two words\n".write(toFile: file, atomically: true, encoding: .utf8)
            return configuration(scratch, http: "listen = \"127.0.0.1:0\"\nbearer_token_file = \"\(file)\"")
        },
    ]

    @Test(arguments: refusals) func checkConfigAndStartRefuseAlike(_ refusal: Refusal) async throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("printedge.toml")
        let text = try refusal.configuration(scratch)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let checked = try await runProduct("printedged", ["--config", path, "--check-config"], limit: .seconds(60))
        let started = try await runProduct("printedged", ["--config", path], limit: .seconds(60))
        #expect(checked.status == refusal.status, "\(checked.standardError)")
        #expect(started.status == refusal.status, "\(started.standardError)")
        #expect(checked.standardError == started.standardError)
        #expect(checked.standardOutput.isEmpty, "nothing is called valid: \(checked.standardOutput)")

        // `file:line:column:` of the key's value.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix("\(refusal.key) = ") })
        let column = refusal.key.count + 4
        #expect(checked.standardError.hasPrefix("printedged: \(path):\(line + 1):\(column): "), "\(checked.standardError)")
        for words in refusal.says {
            #expect(checked.standardError.contains(words), "\(checked.standardError)")
        }
        #expect(checked.standardError.split(separator: "\n").count == 1, "one line: \(checked.standardError)")
    }

    @Test func aConfigurationWhoseFilesAreRightIsValid() async throws {
        let scratch = try TemporaryDirectory()
        let (certificate, key) = try Self.certificate(scratch)
        let password = scratch.file("password")
        try "secret\n".write(toFile: password, atomically: true, encoding: .utf8)
        let path = scratch.file("printedge.toml")
        try Self.configuration(scratch, printer: "id = \"sim\"\nvirtual = true", tail: Self.mqtt("""
            username = "agent-1"
            password_file = "\(password)"
            tls_ca_file = "\(certificate)"
            tls_cert_file = "\(certificate)"
            tls_key_file = "\(key)"
            """)).write(toFile: path, atomically: true, encoding: .utf8)
        let checked = try await runProduct("printedged", ["--config", path, "--check-config"], limit: .seconds(60))
        #expect(checked.status == 0, "\(checked.standardError)")
        #expect(checked.standardOutput.contains("valid; 1 printer(s): sim (printedge-sim)"), "\(checked.standardOutput)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("state")), "a check creates nothing")
    }

    /// A port another program listens on is what `--check-config` cannot see (it binds
    /// nothing); the start is refused before the daemon says it is ready, 75 as for any
    /// resource another holder may let go.
    @Test func aStartOnAPortInUseIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let holder = try ListeningSocket()
        let path = scratch.file("printedge.toml")
        try Self.configuration(scratch, http: "listen = \"127.0.0.1:\(holder.port)\"").write(toFile: path, atomically: true, encoding: .utf8)
        let checked = try await runProduct("printedged", ["--config", path, "--check-config"], limit: .seconds(60))
        #expect(checked.status == 0, "\(checked.standardError)")
        let started = try await runProduct("printedged", ["--config", path], limit: .seconds(60))
        #expect(started.status == 75, "\(started.standardError)")
        #expect(started.standardError.contains("the HTTP listener cannot listen on 127.0.0.1:\(holder.port) (`http.listen`): the port is in use"),
                "\(started.standardError)")
    }
}
