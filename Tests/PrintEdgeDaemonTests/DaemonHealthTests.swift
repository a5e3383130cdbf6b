import Foundation
import PrintEdgeControl
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import Testing

/// The daemon's verdict on itself, gathered from its real parts: printers on real ptys, the
/// store's directory, the filesystem.
@Suite struct DaemonHealthTests {
    @Test func aConnectedPrinterIsReadyAndOneWithoutItsPortDegradesTheVerdict() async throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.file("printer")
        let simulator = try await SimulatedPrinter.start(link: link)
        let configuration = """
            [[printer]]
            id = "mk"
            port = "\(link)"
            profile = "printedge-sim"

            [[printer]]
            id = "gone"
            port = "\(scratch.file("unplugged"))"
            profile = "printedge-sim"
            """
        try await DaemonUnderTest.with(in: scratch, configuration: configuration) { daemon in
            withExtendedLifetime(simulator) {}
            try await daemon.waitUntil("mk connects") { try await daemon.status(of: "mk").state == "idle" }
            try await daemon.waitUntil("gone has tried its port") { try await daemon.status(of: "gone").error != nil }
            let reply = try await daemon.expectOK("health")
            let verdict = try #require(reply.health)
            #expect(verdict.level == .degraded, "\(verdict)")
            #expect(verdict.checks.map(\.name) == ["database", "disk", "printer mk", "printer gone"])
            #expect(verdict.checks[0] == HealthCheck(component: "database", level: .ready, message: "recording"))
            #expect(verdict.checks[2] == HealthCheck(component: "printer", subject: "mk", level: .ready, message: "idle"))
            let gone = verdict.checks[3]
            #expect(gone.level == .degraded)
            // Between two attempts it is offline, after one it is in error, during the next one
            // connecting again: degraded each time, with the last attempt's reason.
            #expect(["offline: ", "error: ", "connecting: "].contains { gone.message.hasPrefix($0) }, "\(gone.message)")
            #expect(gone.message.contains(scratch.file("unplugged")), "the reason names the port: \(gone.message)")
            #expect(verdict.summary.hasPrefix("degraded: printer gone: "), "\(verdict.summary)")
        }
    }

    @Test func aQuestionNotAnsweredInTimeIsReportedNotWaitedFor() async throws {
        let (never, held) = AsyncStream.makeStream(of: Int.self)
        let stuck = Task { () -> Int in
            for await value in never { return value }
            return -1
        }
        #expect(await DaemonHealth.answer(stuck, before: .now) == nil)
        held.finish()
        let quick = Task { 7 }
        _ = await quick.value
        #expect(await DaemonHealth.answer(quick, before: .now + .seconds(600)) == 7)
    }

    @Test func theWriteProbeAndTheDiskSpaceSayWhyTheyCannot() throws {
        let scratch = try TemporaryDirectory()
        #expect(DaemonHealth.probeWrite(in: scratch.path) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "the probe leaves nothing behind")
        #expect(DaemonHealth.probeWrite(in: scratch.file("missing")) == "No such file or directory")
        let file = scratch.file("a-file")
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(DaemonHealth.probeWrite(in: file) == "Not a directory")
        guard case .success(let space) = DaemonHealth.diskSpace(of: scratch.path) else { Issue.record("statvfs failed"); return }
        #expect(space.totalBytes > 0 && space.availableBytes <= space.totalBytes)
        guard case .failure(let failure) = DaemonHealth.diskSpace(of: scratch.file("missing")) else { Issue.record("statvfs of nothing"); return }
        #expect(failure.message == "No such file or directory")
    }

    @Test func theWatchdogIsKickedUnlessFailedAndTheSummaryFollowsThePrinters() {
        let ready = HealthVerdict(checks: [HealthCheck(component: "database", level: .ready, message: "recording")], atMS: 0)
        #expect(SystemdNotifier.message(for: ready, printers: "printers: mk idle") == "WATCHDOG=1\nSTATUS=printers: mk idle")
        let failed = HealthVerdict(checks: [HealthCheck(component: "printer", subject: "mk", level: .failed, message: "stuck\nreally")], atMS: 0)
        #expect(SystemdNotifier.message(for: failed, printers: "printers: mk idle") == "STATUS=printers: mk idle | failed: printer mk: stuck really")
    }
}
