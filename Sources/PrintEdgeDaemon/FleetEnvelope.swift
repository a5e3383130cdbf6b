import Foundation
import PrintEdgeStore

/// The JSON every upstream message is wrapped in:
/// `{"v":1,"type":"event","printer":"mk4","seq":42,"at_ms":…,"data":{…}}`.
///
/// Assembled from the outbox row's columns around its stored payload, without decoding it
/// again: the same row always gives the same bytes, so a copy published again after a
/// reconnect is identical to the first, and consumers tell them apart by `seq` alone.
enum FleetEnvelope {
    /// Bumped when a payload changes incompatibly; the topic prefix's `v1` follows it.
    static let schemaVersion = 1

    static func bytes(for message: OutboxMessage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(message.payload.utf8.count + message.printerID.utf8.count + 80)
        bytes += #"{"v":\#(schemaVersion),"type":"#.utf8
        bytes += quoted(message.kind.rawValue)
        bytes += #","printer":"#.utf8
        bytes += quoted(message.printerID)
        bytes += #","seq":\#(message.sequence),"at_ms":\#(message.createdAtMS),"data":"#.utf8
        bytes += message.payload.utf8
        bytes += "}".utf8
        return bytes
    }

    /// A JSON string; printer ids and kinds are plain words, but nothing here relies on it.
    private static func quoted(_ text: String) -> [UInt8] {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return [UInt8(ascii: "\"")] + Array(text.utf8) + [UInt8(ascii: "\"")]
        }
        return Array((try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8))
    }
}
