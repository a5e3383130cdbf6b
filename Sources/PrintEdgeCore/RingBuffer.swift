/// A growable FIFO with O(1) append and removal at the front.
///
/// The ledger of lines in flight and the resend history are queues that shift by one entry
/// per line sent; an `Array` with `removeFirst` would copy on every `ok`.
public struct RingBuffer<Element> {
    private var storage: [Element?]
    private var head = 0
    public private(set) var count = 0

    public init(capacity: Int = 16) {
        storage = Array(repeating: nil, count: Swift.max(1, capacity))
    }

    public var isEmpty: Bool { count == 0 }
    public var first: Element? { count == 0 ? nil : storage[head] }
    public var last: Element? { count == 0 ? nil : self[count - 1] }

    /// The element `offset` places from the front.
    public subscript(offset: Int) -> Element {
        get {
            precondition(offset >= 0 && offset < count, "RingBuffer offset \(offset) out of 0..<\(count)")
            guard let element = storage[(head + offset) % storage.count] else {
                preconditionFailure("RingBuffer slot \(offset) is empty")
            }
            return element
        }
        set {
            precondition(offset >= 0 && offset < count, "RingBuffer offset \(offset) out of 0..<\(count)")
            storage[(head + offset) % storage.count] = newValue
        }
    }

    public mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    @discardableResult
    public mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    public mutating func removeAll() {
        while popFirst() != nil {}
    }

    /// Keeps the elements for which `isIncluded` holds, in order.
    public mutating func filter(keeping isIncluded: (Element) -> Bool) {
        var kept = RingBuffer(capacity: storage.count)
        while let element = popFirst() {
            if isIncluded(element) { kept.append(element) }
        }
        self = kept
    }

    private mutating func grow() {
        var bigger: [Element?] = Array(repeating: nil, count: storage.count * 2)
        for offset in 0..<count { bigger[offset] = storage[(head + offset) % storage.count] }
        storage = bigger
        head = 0
    }
}

extension RingBuffer: Sendable where Element: Sendable {}
