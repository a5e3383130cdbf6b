import Foundation
import PrintEdgeCore
import PrintEdgeConfig
@testable import PrintEdgeDaemon
import PrintEdgeFixtures
import Synchronization
import Testing

/// Thousands of malformed and random payloads, seeded: every one gets exactly one reply
/// (at once, or later for a delivery that then fails or expires), and a printer that can take
/// nothing (offline) is never called.
struct FleetCommandFuzzTests {
    static let digest = String(repeating: "5e", count: 32)
    /// Every command in each of its forms, every member name and an unknown one (`extra`).
    static let vocabulary = FleetCommandFuzzer.Vocabulary(
        templates: [
            ["id": "f", "command": "pause", "job": 3],
            ["id": "f", "command": "resume"],
            ["id": "f", "command": "cancel", "job": 3],
            ["id": "f", "command": "gcode", "lines": ["G28", "M104 S200 ; heat"]],
            ["id": "f", "command": "set_temperature", "heater": "T0", "target_celsius": 200],
            ["id": "f", "command": "emergency_stop"],
            ["id": "f", "command": "status_request"],
            ["id": "f", "command": "transfer_status", "transfer": "t1"],
            ["id": "f", "command": "start_job", "job": 3],
            ["id": "f", "command": "start_job", "transfer": "t1", "sha256": .string(digest), "size_bytes": 100, "chunk_size_bytes": 10, "name": "x"],
            ["id": "f", "command": "start_job", "url": "http://127.0.0.1:9/x.gcode", "sha256": .string(digest), "size_bytes": 100],
        ],
        keys: ["id", "command", "job", "lines", "heater", "target_celsius", "transfer", "sha256", "size_bytes",
               "chunk_size_bytes", "url", "name", "start", "force", "extra"],
        commandNames: ["pause", "start_job", "gcode", "Pause", "", "start-job", "estop"],
        strings: ["", "G28", "M500", "T0", "B", "http://x", "t1"],
        maxNesting: 3, noiseMaxBytes: 200, maxPayloadBytes: FleetCommandSettings().maxCommandBytes)

    @Test func everyMalformedOrRandomPayloadGetsOneReplyAndChangesNothing() async throws {
        let clock = Mutex<Int64>(1_000_000)
        let rig = try FleetCommandRig(downloader: RefusingDownloader(), now: { clock.withLock { $0 } })
        await rig.printers[0].set(state: "offline")
        var generator = FleetCommandFuzzer(seed: 0x5EED_F1EE7, vocabulary: Self.vocabulary)
        var sent = Set<[UInt8]>()
        var deferredIDs: [String] = []
        var immediate = 0
        while sent.count < 5000 {
            let payload = generator.payload(serial: sent.count)
            guard sent.insert(payload).inserted else { continue }
            let replies = await rig.send(payload)
            #expect(replies.count <= 1, "\(replies.count) replies to \(String(decoding: payload, as: UTF8.self))")
            if let reply = replies.first {
                immediate += 1
                #expect(reply["status"] as? String != nil)
            } else {
                // No reply now: a delivery announced, whose one reply comes when it ends.
                let command = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
                #expect(command["command"] as? String == "start_job", "no reply to \(String(decoding: payload, as: UTF8.self))")
                deferredIDs.append("\(command["id"] ?? "")")
            }
        }
        // Deliveries end: downloads fail at once, transfers expire.
        clock.withLock { $0 += 2 * 86_400_000 }
        let sweep = await rig.send(#"{"id": "sweep", "command": "status_request"}"#)
        let later = try await rig.waitForLaterReplies(deferredIDs.count - (sweep.count - 1))
        let ended = (later + sweep.dropLast()).map { "\($0["id"] ?? "")" }
        #expect(ended.sorted() == deferredIDs.sorted())
        #expect(immediate + deferredIDs.count == 5000)
        #expect(await rig.printers[0].calls.isEmpty)
        let counters = await rig.commands.totalCounters()
        #expect(counters.received == 5001)
        #expect(counters.accepted + counters.refusedTotal == 5001)
        #expect(rig.transferFiles().isEmpty)
    }

    @Test func randomChunkTopicsAndBytesNeverCrashAndAreCounted() async throws {
        let rig = try FleetCommandRig()
        _ = await rig.send(#"{"id": "t", "command": "start_job", "transfer": "t1", "sha256": "\#(Self.digest)", "size_bytes": 100, "chunk_size_bytes": 10, "start": false}"#)
        var generator = FleetCommandFuzzer(seed: 42, vocabulary: Self.vocabulary)
        var replies = 0
        for _ in 0..<2000 {
            let topic = generator.chunkTopic()
            replies += await rig.send(generator.bytes(maxLength: 20), subtopic: topic).count
        }
        let counters = await rig.commands.counters(printerID: "mk3s")
        #expect(replies == counters?.chunksRefused)
        #expect((counters?.chunksReceived ?? 0) + (counters?.chunksRefused ?? 0) + (counters?.duplicates ?? 0) == 2000)
    }
}

/// A downloader whose every attempt fails for good.
struct RefusingDownloader: HTTPDownloading {
    func download(_ request: HTTPDownloadRequest) async throws(HTTPDownloadError) -> Int64 {
        throw HTTPDownloadError(url: request.url, message: "refused by the test", isRetryable: false)
    }
}

extension FleetCommandFuzzer {
    /// A chunk topic: transfers under way or not, malformed, too long; indexes in and out of
    /// range, negative, not numbers; now and then no index at all.
    mutating func chunkTopic() -> String {
        let transfer = ["t1", "t2", "", "t1/x", String(repeating: "a", count: 70), "t#"][below(6)]
        let index = ["0", "3", "9", "10", "-1", "x", "", "99999999999"][below(8)]
        return below(10) == 0 ? "files/\(transfer)" : "files/\(transfer)/\(index)"
    }
}
