import Foundation
import Glibc
import PrintEdgeControl
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// `jobs.submit` reads the file through a descriptor the client opened (SCM_RIGHTS), so the
/// daemon needs no access to the submitter's directories (systemd's `ProtectHome=yes`).
@Suite(.serialized) struct DaemonFilePassingTests {
    @Test func aSubmittedFileTravelsAsAnOpenDescriptorNotAsAPath() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let path = scratch.file("cube.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 50), to: path)
        let expectedHash = try await daemon.cli(["jobs", "submit", path, "--json"])
        #expect(expectedHash.status == 0, "\(expectedHash.standardError)")

        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        // Only the open descriptor leads to the contents now.
        try FileManager.default.removeItem(atPath: path)
        // The client blocks until the reply: on a thread of its own, not one of the pool's.
        let socketPath = daemon.socketPath
        let reply = try await onThreadOfItsOwn {
            try ControlClient(socketPath: socketPath).call(
                ControlRequest(id: 0, command: "jobs.submit", printer: "mk", path: path), attaching: descriptor)
        }
        #expect(reply.ok == true, "\(String(describing: reply.error))")
        #expect(reply.job?.name == "cube.gcode")
        #expect(reply.job?.sha256 == (try await daemon.jobJSON(1))["sha256"] as? String)
        #expect(reply.job?.commands == 50)
    }

    @Test func aRequestThatClaimsAnAttachedFileWithoutOneIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let socketPath = daemon.socketPath
        let reply = try await onThreadOfItsOwn {
            try ControlClient(socketPath: socketPath).call(
                ControlRequest(id: 0, command: "jobs.submit", printer: "mk", path: "/nowhere/cube.gcode", fileAttached: true))
        }
        #expect(reply.ok == false)
        #expect(reply.error?.code == .badRequest)
        #expect(reply.error?.message.contains("SCM_RIGHTS") == true)
        #expect(try await daemon.jobJSON(1).isEmpty, "nothing is queued")
    }
}
