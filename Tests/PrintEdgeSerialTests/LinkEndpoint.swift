import Glibc
import PrintEdgePOSIX
import PrintEdgeSerial

/// Either end of a link (host `SerialPort` or printer-side `PseudoTerminal`), so one pump
/// drives both directions.
struct LinkEndpoint {
    let fileDescriptor: Int32
    let read: (UnsafeMutableRawBufferPointer) throws(SerialError) -> Int
    let write: (UnsafeRawBufferPointer) throws(SerialError) -> Int

    init(_ port: SerialPort) {
        fileDescriptor = port.fileDescriptor
        read = port.read(into:)
        write = port.write(_:)
    }

    init(_ pty: PseudoTerminal) {
        fileDescriptor = pty.masterFileDescriptor
        read = pty.read(into:)
        write = pty.write(_:)
    }
}

/// Only a safety net so a broken adapter fails the test instead of hanging the run; no
/// test asserts anything about how long a transfer takes.
let stallLimit: Duration = .seconds(5)

struct TransferStalled: Error, CustomStringConvertible {
    let sent: Int
    let received: Int
    var description: String { "nothing became ready for \(stallLimit) (sent \(sent), received \(received))" }
}

struct Transfer {
    var received: [UInt8] = []
    /// Waits that returned without letting either side move a byte: a busy loop's signature.
    var idleWakeups = 0
    var waits = 0
    /// Write calls that moved at least one byte: more than one means the sender had to wait.
    var writes = 0
}

/// Writes `payload` into `sender` and reads `receiver` until as many bytes arrived, both
/// non-blocking, sleeping in ppoll whenever neither side can move.
func transfer(_ payload: [UInt8], from sender: LinkEndpoint, to receiver: LinkEndpoint) throws -> Transfer {
    var set = PollSet()
    let senderSlot = set.add(sender.fileDescriptor, interest: .writable)
    let receiverSlot = set.add(receiver.fileDescriptor, interest: .readable)
    var result = Transfer()
    var sent = 0
    var buffer = [UInt8](repeating: 0, count: 4096)
    while result.received.count < payload.count {
        set.setInterest(sent < payload.count ? .writable : [], forSlot: senderSlot)
        result.waits += 1
        guard try set.wait(timeout: stallLimit) > 0 else {
            throw TransferStalled(sent: sent, received: result.received.count)
        }
        var progressed = false
        if sent < payload.count, set.readiness(ofSlot: senderSlot).contains(.writable) {
            let count = try payload.withUnsafeBytes { bytes in
                try sender.write(UnsafeRawBufferPointer(rebasing: bytes[sent...]))
            }
            sent += count
            if count > 0 { result.writes += 1 }
            progressed = progressed || count > 0
        }
        if !set.readiness(ofSlot: receiverSlot).isEmpty {
            let count = try buffer.withUnsafeMutableBytes { try receiver.read($0) }
            result.received += buffer[..<count]
            progressed = progressed || count > 0
        }
        if !progressed { result.idleWakeups += 1 }
    }
    return result
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func pathExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}
