/// The UART receive ring the serial ISR fills and `get_serial_commands()` empties.
///
/// Marlin's ring keeps one slot free to tell full from empty (MarlinSerial's
/// `store_rxd_char`: "If the character is to be stored at the index just before the tail
/// … the RX FIFO is full, so don't write the character"), so an RX_BUFFER_SIZE of 128
/// holds 127 bytes; a byte arriving at a full ring is lost.
struct ReceiveBuffer: Sendable {
    private var storage: [UInt8]
    private var head = 0
    private(set) var count = 0
    /// Bytes it holds: RX_BUFFER_SIZE - 1.
    let capacity: Int

    init(size: Int) {
        let size = max(2, size)
        storage = [UInt8](repeating: 0, count: size)
        capacity = size - 1
    }

    var isEmpty: Bool { count == 0 }

    /// Stores a byte; false when the ring is full and the byte is lost.
    mutating func push(_ byte: UInt8) -> Bool {
        guard count < capacity else { return false }
        var index = head + count
        if index >= storage.count { index -= storage.count }
        storage[index] = byte
        count += 1
        return true
    }

    mutating func pop() -> UInt8? {
        guard count > 0 else { return nil }
        let byte = storage[head]
        head += 1
        if head == storage.count { head = 0 }
        count -= 1
        return byte
    }

    /// Empties the ring as `gcode_line_error` does; returns how many bytes went and the
    /// last of them.
    mutating func drain() -> (count: Int, last: UInt8?) {
        guard count > 0 else { return (0, nil) }
        var index = head + count - 1
        if index >= storage.count { index -= storage.count }
        let result = (count, Optional(storage[index]))
        head = 0
        count = 0
        return result
    }
}
