import Foundation
@testable import PrintEdgeDaemon
import Testing

/// What the preflight takes for a certificate or a key, on files made by `openssl`.
@Suite struct PEMFileTests {
    let scratch: Scratch

    init() throws {
        scratch = try Scratch()
    }

    /// Runs `openssl` in the scratch directory; its standard output.
    @discardableResult
    func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")) failed") }
        return data
    }

    /// A self-signed certificate `<name>.crt` and its PKCS#8 key `<name>.key`.
    func certificate(_ name: String) throws -> (certificate: String, key: String) {
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc",
                     "-keyout", "\(name).key", "-out", "\(name).crt", "-days", "2", "-subj", "/CN=\(name)"])
        return (scratch.path("\(name).crt"), scratch.path("\(name).key"))
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = scratch.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func problem(_ path: String, _ content: PEMFile.Content) -> String? {
        do {
            try PEMFile.check(path, holds: content)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aBundleWithCommentsAndWindowsLineEndsHoldsEachCertificate() throws {
        let first = try String(contentsOfFile: try certificate("first").certificate, encoding: .utf8)
        let second = try String(contentsOfFile: try certificate("second").certificate, encoding: .utf8)
        let bundle = ("# fleet CAs\n" + first + "\n# the second one\n" + second).replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try PEMFile.check(try write("bundle.pem", bundle), holds: .certificates) == 2)
    }

    @Test func unencryptedKeysInEachFormatOpenSSLWritesAreKeys() throws {
        #expect(problem(try certificate("pkcs8").key, .privateKey) == nil)
        try openssl(["genrsa", "-traditional", "-out", "rsa.key", "1024"])
        #expect(problem(scratch.path("rsa.key"), .privateKey) == nil)
        // `ecparam -genkey` writes the curve's parameters first, as a block of their own.
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key"])
        #expect(problem(scratch.path("ec.key"), .privateKey) == nil)
    }

    @Test func anEncryptedKeyIsRefusedInBothFormats() throws {
        let key = try certificate("plain").key
        try openssl(["pkey", "-in", key, "-aes256", "-passout", "pass:secret", "-out", "pkcs8.key"])
        #expect(problem(scratch.path("pkcs8.key"), .privateKey)?.hasPrefix("holds an encrypted private key (line 1)") == true)
        try openssl(["genrsa", "-traditional", "-aes128", "-passout", "pass:secret", "-out", "rsa.key", "1024"])
        #expect(problem(scratch.path("rsa.key"), .privateKey)?.hasPrefix("holds an encrypted private key (line 1)") == true)
    }

    @Test func aCertificateIsNoKeyAndAKeyIsNoCertificate() throws {
        let (certificate, key) = try certificate("leaf")
        #expect(problem(certificate, .privateKey) == "holds no PEM private key (`-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`) (only CERTIFICATE)")
        #expect(problem(key, .certificates) == "holds no PEM certificate (`-----BEGIN CERTIFICATE-----`) (only PRIVATE KEY)")
    }

    @Test func aDERCertificateIsRecognisedAndTheConversionNamed() throws {
        let certificate = try certificate("der").certificate
        try openssl(["x509", "-in", certificate, "-outform", "der", "-out", "ca.der"])
        #expect(problem(scratch.path("ca.der"), .certificates)?.contains("it looks like binary DER; convert it with `openssl x509 -inform der") == true)
    }

    @Test func damagedBlocksSayWhereAndWhat() throws {
        let text = try String(contentsOfFile: try certificate("damaged").certificate, encoding: .utf8)
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
        #expect(problem(scratch.path("missing.pem"), .certificates) == "cannot be read (No such file or directory)")
        #expect(problem(scratch.path, .certificates) == "is a directory, not a PEM file")
        #expect(problem(try write("empty.pem", ""), .certificates) == "holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)")
    }
}
