#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// Whether a file holds what OpenSSL will be asked to load from it — PEM certificates (a CA
/// bundle, a client certificate) or an unencrypted PEM private key — so that a wrong file is
/// refused at start with its name, rather than by libmosquitto ("invalid function
/// arguments") or curl when the first connection is made.
///
/// What is checked: each `-----BEGIN <label>-----` line has its `-----END <label>-----`; the
/// lines between (after RFC 1421 headers such as `Proc-Type:`) are base64; they decode to DER
/// whose outer element is an ASN.1 SEQUENCE (0x30) with a definite length covering the rest
/// exactly — the shape of every X.509 certificate and of PKCS#1, PKCS#8 and SEC 1 keys. Text
/// outside the blocks is allowed (bundles carry comments). Not checked: signatures, validity
/// dates, that a key fits its certificate; OpenSSL does that when it connects.
///
/// Read line by line: a CA bundle is a few hundred kilobytes, and only one block is held.
enum PEMFile {
    enum Content {
        /// One or more certificates (`CERTIFICATE`, `TRUSTED CERTIFICATE`); CRLs may be among them.
        case certificates
        /// A private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`), unencrypted: a
        /// daemon has no one to type a passphrase.
        case privateKey
    }

    /// What is wrong with the file, said after its path ("… is not a PEM certificate file: …").
    struct Problem: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Longer lines are not PEM (its lines are 64 characters), nor is a larger block a key or
    /// a certificate.
    static let maxLineBytes = 4096
    static let maxBlockBytes = 1 << 20

    private static let certificateLabels: Set<String> = ["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"]
    private static let keyLabels: Set<String> = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]

    /// Checks the file at `path`; returns how many certificates or keys it holds.
    @discardableResult
    static func check(_ path: String, holds content: Content) throws(Problem) -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Problem(description: "cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw Problem(description: "is a directory, not a PEM file")
        }
        var scan = Scan(content: content)
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var lineNumber = 0
        var firstByte: UInt8?
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Problem(description: "cannot be read (\(String(cString: strerror(errno))))")
            }
            if firstByte == nil, count > 0 { firstByte = chunk[0] }
            if count == 0 { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                pending.append(contentsOf: chunk[start..<index])
                lineNumber += 1
                try scan.line(pending, number: lineNumber)
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            pending.append(contentsOf: chunk[start..<count])
            if pending.count > maxLineBytes { try scan.overlongLine(number: lineNumber + 1) }
        }
        if !pending.isEmpty {
            lineNumber += 1
            try scan.line(pending, number: lineNumber)
        }
        return try scan.finish(looksLikeDER: firstByte == 0x30)
    }

    /// The state of one pass over the lines: outside a block, or inside one since a line.
    private struct Scan {
        let content: Content
        var block: (label: String, line: Int, base64: [UInt8], encrypted: Bool, inHeaders: Bool)?
        var found = 0
        var encryptedKeyLine: Int?
        var otherLabels: [String] = []

        init(content: Content) {
            self.content = content
        }

        mutating func overlongLine(number: Int) throws(Problem) {
            // Outside a block a long line is some comment; inside one, it is not PEM.
            if let block { throw Problem(description: "the \(block.label) block at line \(block.line) has a line longer than \(maxLineBytes) bytes at line \(number): not PEM") }
        }

        mutating func line(_ raw: [UInt8], number: Int) throws(Problem) {
            var bytes = raw[...]
            while let last = bytes.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
            let text = String(decoding: bytes, as: UTF8.self)
            if var current = block {
                if let label = Self.label(text, "-----END ") {
                    guard label == current.label else {
                        throw Problem(description: "the \(current.label) block at line \(current.line) ends with `-----END \(label)-----` at line \(number)")
                    }
                    block = nil
                    try finishBlock(current)
                    return
                }
                if current.inHeaders, text.contains(":") {
                    if text.hasPrefix("Proc-Type:"), text.contains("ENCRYPTED") { current.encrypted = true }
                    block = current
                    return
                }
                current.inHeaders = false
                guard current.base64.count + bytes.count <= maxBlockBytes else {
                    throw Problem(description: "the \(current.label) block at line \(current.line) is larger than \(maxBlockBytes >> 20) MB: not a certificate or key")
                }
                current.base64.append(contentsOf: bytes.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") })
                block = current
            } else if let label = Self.label(text, "-----BEGIN ") {
                block = (label, number, [], false, true)
            }
        }

        private mutating func finishBlock(_ block: (label: String, line: Int, base64: [UInt8], encrypted: Bool, inHeaders: Bool)) throws(Problem) {
            guard let der = Data(base64Encoded: Data(block.base64)) else {
                throw Problem(description: "the \(block.label) block at line \(block.line) is not base64")
            }
            let wanted = content == .certificates ? PEMFile.certificateLabels : PEMFile.keyLabels
            if block.label == "ENCRYPTED PRIVATE KEY" || (wanted.contains(block.label) && block.encrypted) {
                if content == .privateKey { encryptedKeyLine = encryptedKeyLine ?? block.line }
                return
            }
            guard wanted.contains(block.label) else {
                otherLabels.append(block.label)
                return
            }
            guard Self.isDERSequence(Array(der)) else {
                throw Problem(description: "the \(block.label) block at line \(block.line) does not decode to DER (an ASN.1 SEQUENCE spanning the block)")
            }
            found += 1
        }

        func finish(looksLikeDER: Bool) throws(Problem) -> Int {
            if let block { throw Problem(description: "the \(block.label) block at line \(block.line) is not closed (no `-----END \(block.label)-----`)") }
            guard found == 0 else { return found }
            if let encryptedKeyLine {
                throw Problem(description: "holds an encrypted private key (line \(encryptedKeyLine)): a daemon has no one to type its passphrase; write it unencrypted with `openssl pkey -in <file> -out <new file>`, readable by printedged's user only")
            }
            let expected = content == .certificates ? "PEM certificate (`-----BEGIN CERTIFICATE-----`)" : "PEM private key (`-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)"
            if looksLikeDER {
                let conversion = content == .certificates ? "openssl x509 -inform der" : "openssl pkey -inform der"
                throw Problem(description: "holds no \(expected): it looks like binary DER; convert it with `\(conversion) -in <file> -out <file>.pem`")
            }
            let others = otherLabels.isEmpty ? "" : " (only \(Set(otherLabels).sorted().joined(separator: ", ")))"
            throw Problem(description: "holds no \(expected)\(others)")
        }

        /// `LABEL` of a `-----BEGIN LABEL-----` or `-----END LABEL-----` line.
        static func label(_ line: String, _ prefix: String) -> String? {
            guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count > prefix.count + 5 else { return nil }
            return String(line.dropFirst(prefix.count).dropLast(5))
        }

        /// 0x30, then a definite DER length (short form, or 1 to 4 length bytes) equal to
        /// what follows.
        static func isDERSequence(_ der: [UInt8]) -> Bool {
            guard der.count >= 2, der[0] == 0x30 else { return false }
            let first = Int(der[1])
            if first < 0x80 { return 2 + first == der.count }
            let lengthBytes = first & 0x7F
            guard (1...4).contains(lengthBytes), der.count >= 2 + lengthBytes else { return false }
            let length = der[2..<2 + lengthBytes].reduce(0) { $0 << 8 | Int($1) }
            return 2 + lengthBytes + length == der.count
        }
    }
}
