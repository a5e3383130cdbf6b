import Foundation

/// The retained message on `<prefix>/<fleet>/agent/<agent>/online`: `online` with the
/// printers this daemon serves while it is connected; `offline` when it stops, or — as its
/// Last Will, published by the broker — when its connection dies without a goodbye.
///
/// JSON rather than DESIGN.md's bare words: the printer list lets a fleet find every printer
/// of an agent from one retained message, and the version field lets the format grow.
struct FleetPresence: Encodable {
    enum State: String, Encodable {
        case online, offline
    }

    var v = FleetEnvelope.schemaVersion
    var type = "agent"
    var agent: String
    var state: State
    /// `nil` in the Last Will, which is written once at connect and published much later.
    var atMS: Int64?
    var printers: [String]
    /// Why it went offline: `shutdown`, or `connection lost` in the Last Will.
    var reason: String?

    enum CodingKeys: String, CodingKey {
        case v, type, agent, state
        case atMS = "at_ms"
        case printers, reason
    }

    var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data())
    }
}
