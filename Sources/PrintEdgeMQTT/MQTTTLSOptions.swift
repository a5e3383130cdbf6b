import Glibc

/// TLS towards the broker: which CA to trust, and optionally a client certificate for brokers
/// that authenticate clients by certificate (`require_certificate true` in mosquitto).
///
/// The broker's certificate must name the host the client connects to in its subjectAltName
/// (a DNS name, or an IP address when `host` is one); libmosquitto checks it. There is no
/// option to skip that check: a fleet link that trusts any certificate trusts anyone on the
/// path.
public struct MQTTTLSOptions: Sendable, Hashable {
    /// PEM file of the CA certificates that sign the broker's certificate.
    public var caFile: String
    /// PEM client certificate; set together with `keyFile`.
    public var certificateFile: String?
    /// PEM private key of `certificateFile`, unencrypted (a daemon has no one to type a
    /// passphrase).
    public var keyFile: String?

    public init(caFile: String, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// Checks that each named file can be opened for reading, so the error names the file;
    /// libmosquitto itself only answers "invalid function arguments".
    func validate() throws(MQTTError) {
        if (certificateFile == nil) != (keyFile == nil) {
            throw .invalidOption(
                name: certificateFile == nil ? "tls.certificateFile" : "tls.keyFile",
                problem: "a client certificate and its key go together: set both, or neither")
        }
        try Self.checkReadable(caFile, role: .caFile)
        if let certificateFile {
            try Self.checkReadable(certificateFile, role: .certificateFile)
        }
        if let keyFile {
            try Self.checkReadable(keyFile, role: .keyFile)
        }
    }

    private static func checkReadable(_ path: String, role: MQTTTLSFileRole) throws(MQTTError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .unreadableTLSFile(role: role, path: path, errno: errno)
        }
        defer { close(descriptor) }
        // A directory opens fine and only fails later, inside OpenSSL, without its name.
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw .unreadableTLSFile(role: role, path: path, errno: EISDIR)
        }
    }
}

/// Which of the TLS files an error is about.
public enum MQTTTLSFileRole: String, Sendable, Hashable {
    case caFile = "CA file"
    case certificateFile = "client certificate file"
    case keyFile = "client key file"
}
