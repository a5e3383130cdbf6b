import Foundation
import PrintEdgeCore
import PrintEdgeConfig
@testable import PrintEdgeDaemon
import Synchronization
import Testing

/// Thousands of malformed and random payloads, seeded: every one gets exactly one reply
/// (at once, or later for a delivery that then fails or expires), and a printer that can take
/// nothing (offline) is never called.
struct FleetCommandFuzzTests {
    static let digest = String(repeating: "5e", count: 32)
    static let templates = [
        #"{"id": "f", "command": "pause", "job": 3}"#,
        #"{"id": "f", "command": "resume"}"#,
        #"{"id": "f", "command": "cancel", "job": 3}"#,
        #"{"id": "f", "command": "gcode", "lines": ["G28", "M104 S200 ; heat"]}"#,
        #"{"id": "f", "command": "set_temperature", "heater": "T0", "target_celsius": 200}"#,
        #"{"id": "f", "command": "emergency_stop"}"#,
        #"{"id": "f", "command": "status_request"}"#,
        #"{"id": "f", "command": "transfer_status", "transfer": "t1"}"#,
        #"{"id": "f", "command": "start_job", "job": 3}"#,
        #"{"id": "f", "command": "start_job", "transfer": "t1", "sha256": "\#(digest)", "size_bytes": 100, "chunk_size_bytes": 10, "name": "x"}"#,
        #"{"id": "f", "command": "start_job", "url": "http://127.0.0.1:9/x.gcode", "sha256": "\#(digest)", "size_bytes": 100}"#,
    ]

    @Test func everyMalformedOrRandomPayloadGetsOneReplyAndChangesNothing() async throws {
        let clock = Mutex<Int64>(1_000_000)
        let rig = try FleetCommandRig(downloader: RefusingDownloader(), now: { clock.withLock { $0 } })
        await rig.printers[0].set(state: "offline")
        var generator = FleetCommandFuzzer(seed: 0x5EED_F1EE7)
        var sent = Set<[UInt8]>()
        var deferredIDs: [String] = []
        var immediate = 0
        while sent.count < 5000 {
            let payload = generator.payload(templates: Self.templates, serial: sent.count)
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
        var generator = FleetCommandFuzzer(seed: 42)
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

/// Seeded payloads: valid commands mutated in their structure (a member dropped, retyped,
/// added, the command renamed) or in their bytes (truncated, flipped, inserted), and noise.
struct FleetCommandFuzzer {
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func bytes(maxLength: Int) -> [UInt8] {
        (0..<below(maxLength + 1)).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    mutating func randomValue(depth: Int = 0) -> FleetCommandJSON {
        switch below(depth > 2 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .number(String(Int64(bitPattern: next()) >> below(64)))
        case 3: return .number(String(Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF)))
        case 4: return .string(["", "G28", "M500", "T0", "B", "http://x", "t1", String(repeating: "x", count: below(300))][below(8)])
        case 5: return .string(String(decoding: bytes(maxLength: 12), as: UTF8.self))
        case 6: return .array((0..<below(4)).map { _ in randomValue(depth: depth + 1) })
        default: return .object((0..<below(4)).map { index in ("k\(index)", randomValue(depth: depth + 1)) })
        }
    }

    mutating func payload(templates: [String], serial: Int) -> [UInt8] {
        if below(10) == 0 { return bytes(maxLength: 200) }
        guard case .object(var members)? = try? FleetCommandJSON.parse(Array(templates[below(templates.count)].utf8)) else { return [] }
        members[0].value = .string("f\(serial)")
        for _ in 0...below(3) {
            let keys = ["id", "command", "job", "lines", "heater", "target_celsius", "transfer", "sha256", "size_bytes",
                        "chunk_size_bytes", "url", "name", "start", "force", "extra"]
            switch below(5) {
            case 0 where !members.isEmpty: members.remove(at: below(members.count))
            case 1 where !members.isEmpty: members[below(members.count)].value = randomValue()
            case 2:
                let key = keys[below(keys.count)]
                if !members.contains(where: { $0.key == key }) { members.append((key, randomValue())) }
            case 3:
                if let index = members.firstIndex(where: { $0.key == "command" }) {
                    members[index].value = .string(["pause", "start_job", "gcode", "Pause", "", "start-job", "estop"][below(7)])
                }
            default:
                break
            }
        }
        var bytes = FleetCommandJSON.object(members).encoded
        switch below(4) {
        case 0 where !bytes.isEmpty: bytes.removeLast(below(bytes.count))
        case 1 where !bytes.isEmpty: bytes[below(bytes.count)] ^= UInt8(truncatingIfNeeded: next() | 1)
        case 2: bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
        default: break
        }
        return bytes
    }

    mutating func chunkTopic() -> String {
        let transfer = ["t1", "t2", "", "t1/x", String(repeating: "a", count: 70), "t#"][below(6)]
        let index = ["0", "3", "9", "10", "-1", "x", "", "99999999999"][below(8)]
        return below(10) == 0 ? "files/\(transfer)" : "files/\(transfer)/\(index)"
    }
}
