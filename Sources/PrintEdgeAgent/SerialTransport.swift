import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeSerial

/// A printer's tty as a `LinkTransport`: one ppoll over the port, the connection's wake-up
/// descriptor and, for `printedge stream`, the descriptor Ctrl-C pokes; real time.
///
/// A class with one owner, like the `SerialPort` it closes when dropped.
public final class SerialTransport: LinkTransport {
    private let port: SerialPort
    private let wakeup: WakeupPipe
    private let stopSignal: WakeupPipe?
    private var poll = PollSet()
    private let portSlot: Int
    private let wakeSlot: Int
    private let stopSlot: Int?

    init(port: SerialPort, wakeup: WakeupPipe, stopSignal: WakeupPipe?) {
        self.port = port
        self.wakeup = wakeup
        self.stopSignal = stopSignal
        portSlot = poll.add(port.fileDescriptor, interest: .readable)
        wakeSlot = poll.add(wakeup.fileDescriptor, interest: .readable)
        if let stopSignal {
            stopSlot = poll.add(stopSignal.fileDescriptor, interest: .readable)
        } else {
            stopSlot = nil
        }
    }

    public var path: String { port.path }

    public func now() -> MonotonicInstant { .now() }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SerialError) -> Int {
        try port.write(bytes)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SerialError) -> Int {
        try port.read(into: buffer)
    }

    public func wait(until deadline: MonotonicInstant, writing: Bool) throws(SerialError) -> LinkWake {
        poll.setInterest(writing ? [.readable, .writable] : .readable, forSlot: portSlot)
        do {
            _ = try poll.wait(timeout: max(.zero, deadline - .now()))
        } catch {
            throw SerialError(error)
        }
        var wake: LinkWake = []
        let readiness = poll.readiness(ofSlot: portSlot)
        if readiness.contains(.invalid) { wake.insert(.invalid) }
        if !readiness.isDisjoint(with: [.readable, .hangup, .error]) { wake.insert(.readable) }
        if readiness.contains(.writable) { wake.insert(.writable) }
        if poll.readiness(ofSlot: wakeSlot).contains(.readable) {
            _ = wakeup.drain()  // the commands themselves are taken at the top of the loop
            wake.insert(.woken)
        }
        if let stopSlot, let stopSignal, poll.readiness(ofSlot: stopSlot).contains(.readable) {
            _ = stopSignal.drain()
            wake.insert(.stop)
        }
        return wake
    }

    public func isDevicePresent() -> Bool { port.isDevicePresent() }

    public func close() { port.close() }
}
