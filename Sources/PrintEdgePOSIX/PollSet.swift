import CPOSIX
import Glibc

/// What a descriptor is waited for, or was found ready for.
///
/// `hangup`, `error` and `invalid` are only ever reported, never requested: the kernel
/// always reports them, which is how a pulled USB cable wakes a loop waiting for input.
public struct PollEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    public static let writable = PollEvents(rawValue: Int16(POLLOUT))
    public static let hangup = PollEvents(rawValue: Int16(POLLHUP))
    public static let error = PollEvents(rawValue: Int16(POLLERR))
    public static let invalid = PollEvents(rawValue: Int16(POLLNVAL))

    public var description: String {
        let names: [(PollEvents, String)] = [
            (.readable, "readable"), (.writable, "writable"), (.hangup, "hangup"),
            (.error, "error"), (.invalid, "invalid"),
        ]
        let present = names.filter { contains($0.0) }.map(\.1)
        return "[" + present.joined(separator: ", ") + "]"
    }
}

/// The descriptors one I/O loop waits on, kept between waits so the hot path (hundreds of
/// thousands of lines a second on a pty) allocates nothing.
///
/// Slots are indices in the order descriptors were added. A slot's interest changes every
/// turn (ask for `.writable` only while bytes are queued), hence `setInterest`.
public struct PollSet: Sendable {
    private var entries: [pollfd] = []

    public init() {}

    public var count: Int { entries.count }

    /// Adds a descriptor; returns its slot.
    @discardableResult
    public mutating func add(_ fileDescriptor: Int32, interest: PollEvents) -> Int {
        entries.append(pollfd(fd: fileDescriptor, events: interest.rawValue, revents: 0))
        return entries.count - 1
    }

    public mutating func setInterest(_ interest: PollEvents, forSlot slot: Int) {
        entries[slot].events = interest.rawValue
    }

    public func fileDescriptor(ofSlot slot: Int) -> Int32 {
        entries[slot].fd
    }

    /// What the last `wait` found for this slot; empty if it was not ready.
    public func readiness(ofSlot slot: Int) -> PollEvents {
        PollEvents(rawValue: entries[slot].revents)
    }

    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
    }

    /// Blocks until a descriptor is ready or `timeout` passes (`nil`: no timeout); returns
    /// how many slots are ready, 0 on timeout.
    ///
    /// ppoll rather than poll for nanosecond timeouts: a flow-control deadline rounded up
    /// to whole milliseconds drifts. EINTR (a signal arrived) waits again for what is left.
    public mutating func wait(timeout: Duration?) throws(SystemCallError) -> Int {
        // SuspendingClock is CLOCK_MONOTONIC on Linux, the clock ppoll's timeout runs on.
        let deadline = timeout.map { SuspendingClock.now.advanced(by: $0) }
        for index in entries.indices {
            entries[index].revents = 0
        }
        while true {
            let ready: Int32
            if let deadline {
                var remaining = timespec(clamping: SuspendingClock.now.duration(to: deadline))
                ready = entries.withUnsafeMutableBufferPointer { buffer in
                    cposix_ppoll(buffer.baseAddress, UInt(buffer.count), &remaining)
                }
            } else {
                ready = entries.withUnsafeMutableBufferPointer { buffer in
                    cposix_ppoll(buffer.baseAddress, UInt(buffer.count), nil)
                }
            }
            if ready >= 0 { return Int(ready) }
            let code = errno
            guard code == EINTR else {
                let descriptors = entries.map { String($0.fd) }.joined(separator: ", ")
                throw SystemCallError(operation: "ppoll", subject: "descriptors [\(descriptors)]", errno: code)
            }
        }
    }
}
