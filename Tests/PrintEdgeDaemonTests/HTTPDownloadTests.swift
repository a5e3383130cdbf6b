import Foundation
import PrintEdgeConfig
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import Testing

/// `start_job` by URL against a local python server: resumption with `Range`, verification,
/// TLS with a test CA, and the failures that must not be retried.
struct HTTPDownloadTests {
    static let file = FleetCommandTransferTests.file

    /// The test's file, served by a new server with `options`.
    private func serve(_ options: FileServer.Options = .init(), in scratch: TemporaryDirectory) async throws -> FileServer {
        try Data(Self.file).write(to: URL(fileURLWithPath: scratch.file("served.gcode")))
        return try await FileServer(file: scratch.file("served.gcode"), name: "cube.gcode", options: options, in: scratch)
    }

    private func startJob(_ url: String, sha256: String = sha256Hex(file), id: String = "d1") -> String {
        #"{"id": "\#(id)", "command": "start_job", "url": "\#(url)", "sha256": "\#(sha256)", "size_bytes": \#(Self.file.count)}"#
    }

    @Test func aDroppedDownloadResumesWithARangeRequestAndIsQueuedAndStarted() async throws {
        let scratch = try TemporaryDirectory()
        let server = try await serve(.init(drops: 1, dropAfterBytes: 300), in: scratch)
        let rig = try FleetCommandRig(scratch: scratch)
        #expect(await rig.send(startJob(server.url("cube.gcode"))).isEmpty)
        let reply = try #require(try await rig.waitForLaterReplies(1).first)
        #expect(reply["id"] as? String == "d1")
        #expect(reply["status"] as? String == "accepted", "\(reply)")
        let job = try #require(reply["job"] as? [String: Any])
        #expect(job["name"] as? String == "cube.gcode")
        #expect(job["state"] as? String == "queued")
        #expect(await rig.printers[0].calls == ["start \(job["id"] as? Int ?? 0)"])
        #expect(server.requests == ["GET /cube.gcode range=none", "GET /cube.gcode range=bytes=300-"])
        #expect(rig.transferFiles().isEmpty)
    }

    @Test func aServerIgnoringTheRangeMakesThePartFileStartOver() async throws {
        let scratch = try TemporaryDirectory()
        let server = try await serve(.init(ignoreRange: true), in: scratch)
        let part = scratch.file("part")
        try Data(repeating: 0x41, count: 120).write(to: URL(fileURLWithPath: part))
        let size = try await HTTPDownloadCurl().download(HTTPDownloadRequest(
            url: server.url("cube.gcode"), partPath: part, resumeFromBytes: 120, maxBytes: 1 << 20,
            connectTimeout: .seconds(5), stallTimeout: .seconds(30), caFile: nil))
        #expect(size == Int64(Self.file.count))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: part))) == Self.file)
        #expect(server.requests == ["GET /cube.gcode range=bytes=120-"])
    }

    @Test func httpsWorksWithTheConfiguredCAAndIsRefusedWithoutIt() async throws {
        let scratch = try TemporaryDirectory()
        let certificate = try await ServerCertificate(in: scratch)
        let server = try await serve(.init(tls: (certificate.certificateFile, certificate.keyFile)), in: scratch)
        var settings = FleetCommandSettings()
        settings.downloadCAFile = certificate.caFile
        let trusting = try FleetCommandRig(settings: settings, scratch: scratch)
        _ = await trusting.send(startJob(server.url("cube.gcode"), id: "tls"))
        let accepted = try #require(try await trusting.waitForLaterReplies(1).first)
        #expect(accepted["status"] as? String == "accepted", "\(accepted)")

        let request = HTTPDownloadRequest(url: server.url("cube.gcode"), partPath: scratch.file("untrusted.part"), resumeFromBytes: 0,
                                          maxBytes: 1 << 20, connectTimeout: .seconds(5), stallTimeout: .seconds(30), caFile: nil)
        let error = await #expect(throws: HTTPDownloadError.self) { try await HTTPDownloadCurl().download(request) }
        #expect(error?.isRetryable == false)
        #expect(error?.message.contains("certificate") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("download_ca_file") == true)
    }

    @Test func aMissingFileFailsAtOnceWithTheHTTPStatus() async throws {
        let scratch = try TemporaryDirectory()
        let server = try await serve(in: scratch)
        let rig = try FleetCommandRig(scratch: scratch)
        _ = await rig.send(startJob(server.url("nowhere.gcode")))
        let reply = try #require(try await rig.waitForLaterReplies(1).first)
        #expect(errorCode(reply) == "download_failed")
        #expect(errorMessage(reply).contains("HTTP 404"))
        #expect(errorMessage(reply).contains("nothing was queued"))
        #expect(server.requests.count == 1)
        #expect(try rig.store.jobs(printerID: nil, states: nil, limit: 10).isEmpty)
        #expect(rig.transferFiles().isEmpty)
    }

    @Test func aDownloadThatIsNotTheAnnouncedFileIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let server = try await serve(in: scratch)
        let rig = try FleetCommandRig(scratch: scratch)
        _ = await rig.send(startJob(server.url("cube.gcode"), sha256: String(repeating: "0", count: 64)))
        let reply = try #require(try await rig.waitForLaterReplies(1).first)
        #expect(errorCode(reply) == "sha256_mismatch")
        #expect(try rig.store.jobs(printerID: nil, states: nil, limit: 10).isEmpty)
        #expect(rig.transferFiles().isEmpty)
    }
}
