import Foundation
import PrintEdgeStore

/// Where the daemon's parts put messages for the fleet that no store write produces by
/// itself: command replies. The fleet link notices new outbox rows and publishes them; nothing
/// here talks to the broker.
public struct FleetOutbox: Sendable {
    let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Queues a command reply for the printer's `cmd/reply` topic, with the printer's next
    /// sequence number. `payload` must be one JSON object (the reply document, already
    /// encoded); it is published as the envelope's `data`.
    @discardableResult
    public func enqueueReply(printerID: String, payload: [UInt8]) throws(FleetOutboxError) -> OutboxMessage {
        guard (try? JSONSerialization.jsonObject(with: Data(payload))) is [String: Any] else {
            throw .notAJSONObject(printerID: printerID, payload: String(decoding: payload.prefix(80), as: UTF8.self))
        }
        do {
            return try store.appendOutbox(
                printerID: printerID, kind: .reply, payload: String(decoding: payload, as: UTF8.self), atMS: WallClock.nowMS())
        } catch {
            throw .storage(printerID: printerID, error)
        }
    }
}

/// Why a message could not be queued for the fleet.
public enum FleetOutboxError: Error, CustomStringConvertible, Equatable {
    /// The payload is not one JSON object; a caller bug.
    case notAJSONObject(printerID: String, payload: String)
    /// The store refused the write (a full disk, an unknown printer).
    case storage(printerID: String, StoreError)

    public var description: String {
        switch self {
        case .notAJSONObject(let printerID, let payload):
            "a reply for printer \(printerID) is not one JSON object (it starts \"\(payload)\"); replies are published as the envelope's `data`, which must be an object"
        case .storage(let printerID, let error):
            "a reply for printer \(printerID) could not be queued for the fleet: \(error)"
        }
    }
}
