/// A growable FIFO with O(1) append and removal at the front.
///
/// The ledger of lines in flight and the resend history are queues that shift by one entry
/// per line sent; an `Array` with `removeFirst` would copy on every `ok`.
///
/// Inlinable, so that the link loop's buffers in other modules (the job streamer's, the
/// output's) are specialized for their element: unspecialized, every call looked up generic
/// metadata at run time (in `perf`, most of `printedge stream`'s metadata lookups).
public struct RingBuffer<Element> {
    @usableFromInline var storage: [Element?]
    @usableFromInline var head = 0
    @usableFromInline var elementCount = 0

    @inlinable
    public init(capacity: Int = 16) {
        storage = Array(repeating: nil, count: Swift.max(1, capacity))
    }

    @inlinable public var count: Int { elementCount }
    @inlinable public var isEmpty: Bool { elementCount == 0 }
    @inlinable public var first: Element? { elementCount == 0 ? nil : storage[head] }
    @inlinable public var last: Element? { elementCount == 0 ? nil : self[elementCount - 1] }

    /// The element `offset` places from the front.
    @inlinable
    public subscript(offset: Int) -> Element {
        get {
            precondition(offset >= 0 && offset < elementCount, "RingBuffer offset \(offset) out of 0..<\(elementCount)")
            guard let element = storage[(head + offset) % storage.count] else {
                preconditionFailure("RingBuffer slot \(offset) is empty")
            }
            return element
        }
        set {
            precondition(offset >= 0 && offset < elementCount, "RingBuffer offset \(offset) out of 0..<\(elementCount)")
            storage[(head + offset) % storage.count] = newValue
        }
    }

    @inlinable
    public mutating func append(_ element: Element) {
        if elementCount == storage.count { grow() }
        storage[(head + elementCount) % storage.count] = element
        elementCount += 1
    }

    @inlinable @discardableResult
    public mutating func popFirst() -> Element? {
        guard elementCount > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        elementCount -= 1
        return element
    }

    @inlinable
    public mutating func removeAll() {
        while popFirst() != nil {}
    }

    /// Keeps the elements for which `isIncluded` holds, in order.
    @inlinable
    public mutating func filter(keeping isIncluded: (Element) -> Bool) {
        var kept = RingBuffer(capacity: storage.count)
        while let element = popFirst() {
            if isIncluded(element) { kept.append(element) }
        }
        self = kept
    }

    @usableFromInline
    mutating func grow() {
        var bigger: [Element?] = Array(repeating: nil, count: storage.count * 2)
        for offset in 0..<elementCount { bigger[offset] = storage[(head + offset) % storage.count] }
        storage = bigger
        head = 0
    }
}

extension RingBuffer: Sendable where Element: Sendable {}
