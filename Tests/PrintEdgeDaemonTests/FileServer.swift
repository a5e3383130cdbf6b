import Foundation
import PrintEdgeTestSupport

/// A local HTTP(S) server for download tests: python3's `http.server` serving one file, with
/// `Range` requests (206, 416), and on demand TLS, a connection cut after some bytes (the
/// first few requests), a server that ignores `Range`, or a 404. Every request's path and
/// `Range` header is logged, so a test can see that a download resumed.
final class FileServer: Sendable {
    let port: Int
    let scheme: String
    private let process: ChildProcess
    private let logPath: String

    struct Options {
        /// The first `drops` GETs send `dropAfterBytes` bytes of their body, then cut the connection.
        var drops = 0
        var dropAfterBytes = 0
        var ignoreRange = false
        /// PEM certificate and key: serve https.
        var tls: (certificate: String, key: String)?
    }

    /// Serves `file` as `/<name>` until the server is released (SIGKILL: a child of the test
    /// runner inherits its blocked SIGTERM).
    init(file: String, name: String, options: Options = Options(), in scratch: TemporaryDirectory) async throws {
        let script = scratch.file("file_server.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        logPath = scratch.file("file_server-\(UUID().uuidString.prefix(6)).log")
        var arguments = [script, "--file", file, "--name", name, "--log", logPath, "--drops", String(options.drops),
                         "--drop-after", String(options.dropAfterBytes)]
        if options.ignoreRange { arguments.append("--ignore-range") }
        if let tls = options.tls { arguments += ["--cert", tls.certificate, "--key", tls.key] }
        process = try ChildProcess("/usr/bin/python3", arguments)
        // The script prints the port it bound, then serves.
        try await process.waitForOutput(containing: "\n")
        let line = process.output.prefix { $0 != "\n" }
        guard let port = Int(line) else {
            throw TestFailure("the file server did not start: \(process.output)")
        }
        self.port = port
        scheme = options.tls == nil ? "http" : "https"
    }

    func url(_ name: String, host: String = "127.0.0.1") -> String { "\(scheme)://\(host):\(port)/\(name)" }

    /// One line per request: `GET /name range=bytes=100-` (or `range=none`).
    var requests: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private static let script = #"""
        import argparse, http.server, re, socket, ssl, sys, threading
        parser = argparse.ArgumentParser()
        parser.add_argument("--file"); parser.add_argument("--name"); parser.add_argument("--log")
        parser.add_argument("--drops", type=int, default=0); parser.add_argument("--drop-after", type=int, default=0)
        parser.add_argument("--ignore-range", action="store_true")
        parser.add_argument("--cert"); parser.add_argument("--key")
        options = parser.parse_args()
        lock = threading.Lock()
        drops = [options.drops]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                requested = self.headers.get("Range")
                with lock, open(options.log, "a") as log:
                    log.write(f"GET {self.path} range={requested or 'none'}\n")
                if self.path != "/" + options.name:
                    self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
                data = open(options.file, "rb").read()
                start, status = 0, 200
                match = re.fullmatch(r"bytes=(\d+)-", requested or "")
                if match and not options.ignore_range:
                    start = int(match.group(1))
                    if start >= len(data):
                        self.send_response(416); self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0"); self.end_headers(); return
                    status = 206
                body = data[start:]
                self.send_response(status)
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(body))); self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                with lock:
                    drop = drops[0] > 0
                    if drop: drops[0] -= 1
                if drop:
                    self.wfile.write(body[:options.drop_after]); self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR); self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *arguments):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if options.cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(options.cert, options.key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}

/// A CA and a certificate for 127.0.0.1 signed by it, made with `openssl` in `scratch`.
struct ServerCertificate {
    let caFile: String
    let certificateFile: String
    let keyFile: String

    init(in scratch: TemporaryDirectory) async throws {
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"]
        try await Self.openssl(["req", "-x509"] + curve + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=printedge test CA",
                                                      "-addext", "basicConstraints=critical,CA:TRUE",
                                                      "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: scratch)
        try "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: scratch.file("server.ext"), atomically: true, encoding: .utf8)
        try await Self.openssl(["req"] + curve + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=printedge test server"], in: scratch)
        try await Self.openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2",
                          "-out", "server.crt", "-days", "2", "-extfile", "server.ext"], in: scratch)
        caFile = scratch.file("ca.crt")
        certificateFile = scratch.file("server.crt")
        keyFile = scratch.file("server.key")
    }

    private static func openssl(_ arguments: [String], in scratch: TemporaryDirectory) async throws {
        let run = try await ToolRun("/usr/bin/openssl", arguments, in: scratch.path)
        guard run.status == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")): \(run.standardError)")
        }
    }
}
