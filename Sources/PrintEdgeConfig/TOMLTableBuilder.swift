/// A table while the parser is still filling it, with how it came to exist: TOML's rules
/// on what may be added later depend on that (a `[header]` table is defined once, a table
/// made by dotted keys cannot be reopened by a header, an implicit parent can).
///
/// A class because the parser keeps a reference to the table its current `[header]`
/// opened while it also sits inside its parent; it never leaves the parser.
final class TOMLTableBuilder {
    enum Origin {
        /// Exists only as the parent of a header or dotted key so far (`a` in `[a.b]`).
        case implicit
        /// Opened by a `[header]` (or the document root, or an inline table's own root).
        case header
        /// Created by a dotted key (`a` in `a.b = 1`).
        case dotted
    }

    enum Node {
        /// A finished value: a scalar, a static array, or an inline table (closed for good).
        case value(TOMLValue)
        case table(TOMLTableBuilder)
        /// An `[[array.of.tables]]`: its elements in order, and where it first appeared.
        case tableArray([TOMLTableBuilder], SourcePosition)
    }

    struct Slot {
        var keyPosition: SourcePosition
        var node: Node
    }

    var origin: Origin
    var position: SourcePosition
    private(set) var keys: [String] = []
    private var slots: [String: Slot] = [:]

    init(origin: Origin, position: SourcePosition) {
        self.origin = origin
        self.position = position
    }

    subscript(key: String) -> Slot? {
        get { slots[key] }
        set {
            if slots[key] == nil { keys.append(key) }
            slots[key] = newValue
        }
    }

    func build() -> TOMLTable {
        var entries: [TOMLTable.Entry] = []
        entries.reserveCapacity(keys.count)
        for key in keys {
            guard let slot = slots[key] else { continue }
            let value: TOMLValue
            switch slot.node {
            case .value(let finished):
                value = finished
            case .table(let table):
                value = TOMLValue(.table(table.build()), at: table.position)
            case .tableArray(let tables, let position):
                value = TOMLValue(.array(tables.map { TOMLValue(.table($0.build()), at: $0.position) }), at: position)
            }
            entries.append(TOMLTable.Entry(key: key, keyPosition: slot.keyPosition, value: value))
        }
        return TOMLTable(entries: entries)
    }
}
