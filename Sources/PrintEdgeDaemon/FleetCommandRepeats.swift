/// Which commands were handled lately, so that a repeat (the same payload under the same id,
/// as MQTT QoS 1 redelivers) is not carried out twice nor answered twice. A different payload
/// under a used id is a new command: the sender reused an id after fixing a refused one.
struct FleetCommandRepeats {
    let capacity: Int
    private var seen: [String: Int] = [:]
    private var order: [String] = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Whether this payload under this id is new; remembers it either way.
    mutating func isNew(printerID: String, id: FleetCommandID, payload: [UInt8]) -> Bool {
        let key = printerID + "\u{0}" + id.description
        let digest = payload.hashValue
        if seen[key] == digest { return false }
        if seen[key] == nil {
            if order.count < capacity {
                order.append(key)
            } else {
                seen[order[next]] = nil
                order[next] = key
                next = (next + 1) % capacity
            }
        }
        seen[key] = digest
        return true
    }
}
