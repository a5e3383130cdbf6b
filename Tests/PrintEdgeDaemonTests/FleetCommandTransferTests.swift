import Foundation
import PrintEdgeConfig
@testable import PrintEdgeDaemon
import PrintEdgeStore
import PrintEdgeTestSupport
import Synchronization
import Testing

/// `start_job` with a file sent in chunks: assembled on disk, verified, queued through
/// `JobIntake`, started; refused whole when corrupted; resumed across a restart; expired.
struct FleetCommandTransferTests {
    /// A small G-code file inside the recording printer's 200 mm volume.
    static let file: [UInt8] = Array((["G28", "M104 S200", "G1 Z0.2 F3000"] + (1...40).map { "G1 X\($0) Y\($0 % 7 + 10) E\($0).5 F1500" } + ["M104 S0"])
        .joined(separator: "\n").utf8) + [UInt8(ascii: "\n")]
    static let chunkSize = 100

    static func announce(_ id: String, transfer: String, sha256: String = sha256Hex(file), start: Bool = true) -> String {
        #"{"id": "\#(id)", "command": "start_job", "transfer": "\#(transfer)", "sha256": "\#(sha256)", "size_bytes": \#(file.count), "chunk_size_bytes": \#(chunkSize), "name": "fleet.gcode", "start": \#(start)}"#
    }

    static func chunk(_ index: Int, of bytes: [UInt8] = file) -> [UInt8] {
        Array(bytes[index * chunkSize..<min(bytes.count, (index + 1) * chunkSize)])
    }

    static var chunkCount: Int { (file.count + chunkSize - 1) / chunkSize }

    @Test func chunksInAnyOrderAreVerifiedQueuedAndStartedWithOneReply() async throws {
        let rig = try FleetCommandRig()
        #expect(await rig.send(Self.announce("c1", transfer: "t1")).isEmpty)
        for index in (0..<Self.chunkCount).reversed() {
            #expect(await rig.send(Self.chunk(index), subtopic: "files/t1/\(index)").isEmpty)
        }
        let replies = try await rig.waitForLaterReplies(1)
        #expect(replies.count == 1)
        let reply = replies[0]
        #expect(reply["id"] as? String == "c1")
        #expect(reply["command"] as? String == "start_job")
        #expect(reply["status"] as? String == "accepted", "\(reply)")
        let job = try #require(reply["job"] as? [String: Any])
        #expect(job["name"] as? String == "fleet.gcode")
        #expect(job["sha256"] as? String == sha256Hex(Self.file))
        let jobID = try #require(job["id"] as? Int)
        #expect(await rig.printers[0].calls == ["start \(jobID)"])
        let stored = try #require(try rig.store.job(id: Int64(jobID)))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: stored.spoolPath))) == Self.file)
        #expect(rig.transferFiles().isEmpty)
        let counters = await rig.commands.counters(printerID: "mk3s")
        #expect(counters?.chunksReceived == Self.chunkCount)
        #expect(counters?.transfersCompleted == 1)
        #expect(counters?.accepted == 1)
        // A chunk redelivered after the end names a transfer that has ended.
        let late = await rig.send(Self.chunk(0), subtopic: "files/t1/0")
        #expect(late.count == 1)
        #expect(errorCode(late[0]) == "unknown_transfer")
        #expect(late[0]["transfer"] as? String == "t1")
        #expect(late[0]["index"] as? Int == 0)
    }

    @Test func aCorruptedChunkIsRefusedBySHA256AndNothingIsQueued() async throws {
        let rig = try FleetCommandRig()
        #expect(await rig.send(Self.announce("c2", transfer: "bad")).isEmpty)
        for index in 0..<Self.chunkCount {
            var bytes = Self.chunk(index)
            if index == 1 { bytes[7] ^= 0x20 }
            _ = await rig.send(bytes, subtopic: "files/bad/\(index)")
        }
        let reply = try #require(try await rig.waitForLaterReplies(1).first)
        #expect(reply["id"] as? String == "c2")
        #expect(errorCode(reply) == "sha256_mismatch")
        #expect(errorMessage(reply).contains("not the \(sha256Hex(Self.file)) announced"))
        #expect(try rig.store.jobs(printerID: nil, states: nil, limit: 10).isEmpty)
        #expect(rig.transferFiles().isEmpty)
        #expect(await rig.printers[0].calls.isEmpty)
        #expect(await rig.commands.counters(printerID: "mk3s")?.refused == ["sha256_mismatch": 1])
    }

    @Test func chunksReceivedSurviveARestartAndTheTransferResumes() async throws {
        let scratch = try TemporaryDirectory()
        let before = try FleetCommandRig(scratch: scratch)
        #expect(await before.send(Self.announce("c3", transfer: "t3", start: false)).isEmpty)
        for index in [0, 1, 4] { _ = await before.send(Self.chunk(index), subtopic: "files/t3/\(index)") }
        await before.stop()

        let after = try FleetCommandRig(scratch: scratch)
        let status = try await after.reply(to: #"{"id": "s", "command": "transfer_status", "transfer": "t3"}"#)
        #expect(status["status"] as? String == "done")
        #expect(status["received_chunks"] as? Int == 3)
        #expect(status["chunk_count"] as? Int == Self.chunkCount)
        #expect(status["missing"] as? [[Int]] == [[2, 3]] + (Self.chunkCount > 5 ? [[5, Self.chunkCount - 1]] : []))
        // The announcement redelivered after the restart is the same command: no second reply.
        #expect(await after.send(Self.announce("c3", transfer: "t3", start: false)).isEmpty)
        for index in 2..<Self.chunkCount where index != 4 { _ = await after.send(Self.chunk(index), subtopic: "files/t3/\(index)") }
        let reply = try #require(try await after.waitForLaterReplies(1).first)
        #expect(reply["id"] as? String == "c3")
        #expect(reply["status"] as? String == "accepted")
        #expect((reply["job"] as? [String: Any])?["state"] as? String == "queued")
        #expect(await after.printers[0].calls.isEmpty)
    }

    @Test func aDeliveryForAPrinterNoLongerConfiguredIsDroppedAtStart() async throws {
        let scratch = try TemporaryDirectory()
        let before = try FleetCommandRig(printers: ["old"], scratch: scratch)
        _ = await before.send(Self.announce("c0", transfer: "t0"), printer: "old")
        #expect(before.transferFiles().count == 3)
        await before.stop()
        let after = try FleetCommandRig(printers: ["new"], scratch: scratch)
        let reply = try #require(try await after.waitForLaterReplies(1).first)
        #expect(reply["id"] as? String == "c0")
        #expect(errorCode(reply) == "unknown_printer")
        #expect(after.transferFiles().isEmpty)
    }

    @Test func anAbandonedTransferExpiresWithItsReply() async throws {
        let clock = Mutex<Int64>(1_000_000)
        var settings = FleetCommandSettings()
        settings.transferExpiry = .seconds(60)
        let rig = try FleetCommandRig(settings: settings, now: { clock.withLock { $0 } })
        _ = await rig.send(Self.announce("c4", transfer: "t4"))
        _ = await rig.send(Self.chunk(0), subtopic: "files/t4/0")
        clock.withLock { $0 += 61_000 }
        let replies = await rig.send(#"{"id": "next", "command": "status_request"}"#)
        #expect(replies.count == 2)
        #expect(replies[0]["id"] as? String == "c4")
        #expect(errorCode(replies[0]) == "transfer_expired")
        #expect(errorMessage(replies[0]).contains("1 of \(Self.chunkCount) chunks had arrived"))
        #expect(replies[1]["id"] as? String == "next")
        #expect(rig.transferFiles().isEmpty)
    }

    @Test func chunksThatDoNotFitAreRefusedWithTheirTransferAndIndex() async throws {
        let rig = try FleetCommandRig()
        _ = await rig.send(Self.announce("c5", transfer: "t5"))
        let short = await rig.send([1, 2, 3], subtopic: "files/t5/0")
        #expect(errorCode(short[0]) == "bad_chunk")
        #expect(short[0]["id"] is NSNull)
        #expect(short[0]["index"] as? Int == 0)
        #expect(errorCode(await rig.send(Self.chunk(0), subtopic: "files/t5/999")[0]) == "bad_chunk")
        #expect(errorCode(await rig.send(Self.chunk(0), subtopic: "files/t5/x")[0]) == "bad_chunk")
        #expect(errorCode(await rig.send(Self.chunk(0), subtopic: "files/t5")[0]) == "bad_chunk")
        #expect(errorCode(await rig.send(Self.chunk(0), subtopic: "files/other/0")[0]) == "unknown_transfer")
        #expect(errorCode(await rig.send(Self.chunk(0), subtopic: "elsewhere")[0]) == "bad_request")
        #expect(await rig.commands.counters(printerID: "mk3s")?.chunksRefused == 5)
    }

    @Test func aStartForABusyPrinterOrBeyondTheTransferLimitIsRefusedAtOnce() async throws {
        var settings = FleetCommandSettings()
        settings.maxTransfers = 1
        let rig = try FleetCommandRig(settings: settings)
        await rig.printers[0].set(state: "printing")
        #expect(errorCode(try await rig.reply(to: Self.announce("c6", transfer: "t6"))) == "busy")
        #expect(rig.transferFiles().isEmpty)
        #expect(await rig.send(Self.announce("c7", transfer: "t7", start: false)).isEmpty)
        let second = try await rig.reply(to: Self.announce("c8", transfer: "t8", start: false))
        #expect(errorCode(second) == "too_many_transfers")
        let reused = try await rig.reply(to: Self.announce("c9", transfer: "t7", start: false))
        #expect(errorCode(reused) == "busy")
        #expect(errorMessage(reused).contains("under way for command \"c7\""))
    }

    @Test func aFileOutsideTheBuildVolumeIsRefusedByTheIntake() async throws {
        let rig = try FleetCommandRig()
        let file = Array("G28\nG1 X500 Y10 Z0.2 E1 F1500\n".utf8)
        _ = await rig.send(#"{"id": "far", "command": "start_job", "transfer": "far", "sha256": "\#(sha256Hex(file))", "size_bytes": \#(file.count), "chunk_size_bytes": 1000}"#)
        _ = await rig.send(file, subtopic: "files/far/0")
        let reply = try #require(try await rig.waitForLaterReplies(1).first)
        #expect(errorCode(reply) == "refused")
        #expect(errorMessage(reply).contains("nothing was queued"))
        #expect(try rig.store.jobs(printerID: nil, states: nil, limit: 10).isEmpty)
        #expect(rig.transferFiles().isEmpty)
    }
}
