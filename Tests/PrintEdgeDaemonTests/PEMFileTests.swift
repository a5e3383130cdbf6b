import Foundation
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import Testing

/// What the preflight takes for a certificate or a key, on files made by `openssl`.
@Suite struct PEMFileTests {
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
    }

    /// Runs `openssl` in the scratch directory.
    func openssl(_ arguments: [String]) async throws {
        try await runTool("/usr/bin/openssl", arguments, in: scratch.path)
    }

    /// A self-signed certificate `<name>.crt` and its PKCS#8 key `<name>.key`.
    func certificate(_ name: String) async throws -> (certificate: String, key: String) {
        try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc",
                           "-keyout", "\(name).key", "-out", "\(name).crt", "-days", "2", "-subj", "/CN=\(name)"])
        return (scratch.file("\(name).crt"), scratch.file("\(name).key"))
    }

    func write(_ name: String, _ text: String) throws -> String {
        try scratch.write(name, text)
    }

    func problem(_ path: String, _ content: PEMFile.Content) -> String? {
        do {
            try PEMFile.check(path, holds: content)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aBundleWithCommentsAndWindowsLineEndsHoldsEachCertificate() async throws {
        let first = try String(contentsOfFile: try await certificate("first").certificate, encoding: .utf8)
        let second = try String(contentsOfFile: try await certificate("second").certificate, encoding: .utf8)
        let bundle = ("# fleet CAs\n" + first + "\n# the second one\n" + second).replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try PEMFile.check(try write("bundle.pem", bundle), holds: .certificates) == 2)
    }

    @Test func unencryptedKeysInEachFormatOpenSSLWritesAreKeys() async throws {
        #expect(problem(try await certificate("pkcs8").key, .privateKey) == nil)
        try await openssl(["genrsa", "-traditional", "-out", "rsa.key", "1024"])
        #expect(problem(scratch.file("rsa.key"), .privateKey) == nil)
        // `ecparam -genkey` writes the curve's parameters first, as a block of their own.
        try await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key"])
        #expect(problem(scratch.file("ec.key"), .privateKey) == nil)
    }

    @Test func anEncryptedKeyIsRefusedInBothFormats() async throws {
        let key = try await certificate("plain").key
        try await openssl(["pkey", "-in", key, "-aes256", "-passout", "pass:secret", "-out", "pkcs8.key"])
        #expect(problem(scratch.file("pkcs8.key"), .privateKey)?.hasPrefix("holds an encrypted private key (line 1)") == true)
        try await openssl(["genrsa", "-traditional", "-aes128", "-passout", "pass:secret", "-out", "rsa.key", "1024"])
        #expect(problem(scratch.file("rsa.key"), .privateKey)?.hasPrefix("holds an encrypted private key (line 1)") == true)
    }

    @Test func aCertificateIsNoKeyAndAKeyIsNoCertificate() async throws {
        let (certificate, key) = try await certificate("leaf")
        #expect(problem(certificate, .privateKey) == "holds no PEM private key (`-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`) (only CERTIFICATE)")
        #expect(problem(key, .certificates) == "holds no PEM certificate (`-----BEGIN CERTIFICATE-----`) (only PRIVATE KEY)")
    }

    @Test func aDERCertificateIsRecognisedAndTheConversionNamed() async throws {
        let certificate = try await certificate("der").certificate
        try await openssl(["x509", "-in", certificate, "-outform", "der", "-out", "ca.der"])
        #expect(problem(scratch.file("ca.der"), .certificates)?.contains("it looks like binary DER; convert it with `openssl x509 -inform der") == true)
    }

    @Test func damagedBlocksSayWhereAndWhat() async throws {
        let text = try String(contentsOfFile: try await certificate("damaged").certificate, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let body = lines[1]

        lines.remove(at: 2)
        #expect(problem(try write("short.pem", lines.joined(separator: "\n")), .certificates)
                == "the CERTIFICATE block at line 1 does not decode to DER (an ASN.1 SEQUENCE spanning the block)")
        #expect(problem(try write("open.pem", "-----BEGIN CERTIFICATE-----\n\(body)\n"), .certificates)
                == "the CERTIFICATE block at line 1 is not closed (no `-----END CERTIFICATE-----`)")
        #expect(problem(try write("crossed.pem", "\n-----BEGIN CERTIFICATE-----\n\(body)\n-----END PRIVATE KEY-----\n"), .certificates)
                == "the CERTIFICATE block at line 2 ends with `-----END PRIVATE KEY-----` at line 4")
        #expect(problem(try write("garbled.pem", "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n"), .certificates)
                == "the CERTIFICATE block at line 1 is not base64")
    }

    @Test func whatIsNoFileSaysSo() throws {
        #expect(problem(scratch.file("missing.pem"), .certificates) == "cannot be read (No such file or directory)")
        #expect(problem(scratch.path, .certificates) == "is a directory, not a PEM file")
        #expect(problem(try write("empty.pem", ""), .certificates) == "holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)")
    }
}
