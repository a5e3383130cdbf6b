/// A tty device that appeared or went away, from the udev monitor or from the difference
/// between two rescans.
public struct UdevEvent: Sendable, Hashable {
    public enum Action: String, Sendable {
        case add
        case remove
    }

    public var action: Action
    /// For a removal, the device as it was last seen (sysfs no longer has it).
    public var device: UdevDevice

    public init(_ action: Action, _ device: UdevDevice) {
        self.action = action
        self.device = device
    }

    /// The events that turn scan `old` into scan `new`: removals first (a replugged board
    /// may come back under a node another device just left), then additions, each sorted
    /// by kernel name. A device whose properties changed is removed and added again.
    public static func changes(from old: [UdevDevice], to new: [UdevDevice]) -> [UdevEvent] {
        let before = Dictionary(old.map { ($0.sysName, $0) }, uniquingKeysWith: { _, last in last })
        let after = Dictionary(new.map { ($0.sysName, $0) }, uniquingKeysWith: { _, last in last })
        var events: [UdevEvent] = []
        for name in before.keys.sorted() where after[name] != before[name] {
            if let device = before[name] { events.append(UdevEvent(.remove, device)) }
        }
        for name in after.keys.sorted() where after[name] != before[name] {
            if let device = after[name] { events.append(UdevEvent(.add, device)) }
        }
        return events
    }
}
