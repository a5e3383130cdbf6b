/// The main loop's serial side: `GCodeQueue::get_serial_commands()` and
/// `gcode_line_error()` (gcode/queue.cpp, Marlin 2.1).
extension VirtualMarlin {
    /// Reads the RX ring while the command queue has a free slot, queueing each line that
    /// passes the checks. Stops early at a line error.
    mutating func readSerialCommands() {
        while !queue.isFull, let byte = receiveBuffer.pop() {
            guard SerialLineReader.isEndOfLine(byte) else {
                lineReader.feed(byte)
                continue
            }
            let length = lineReader.endLine()
            let isTail = fragmentPending
            fragmentPending = false
            // An empty line (blank, or nothing but a comment) is skipped without a reply.
            guard length > 0 else { continue }
            acceptLine(lineReader.buffer[0..<length], isTail: isTail)
            if resendPending { return }
        }
    }

    /// A complete, non-empty line from the line buffer.
    private mutating func acceptLine(_ line: ArraySlice<UInt8>, isTail: Bool) {
        // Marlin handles the buffer as a C string from here on.
        let text = CLibrary.cString(line)
        var start = text.startIndex
        while start < text.endIndex && text[start] == UInt8(ascii: " ") { start += 1 }
        let command = text[start...]
        let isNumbered = command.first == UInt8(ascii: "N")

        if isTail {
            counters.fragments += 1
            if VirtualMarlin.wouldExecute(command) { counters.fragmentsExecutable += 1 }
            // A tail that still starts with N goes through the line-number check, as in
            // Marlin; any other tail is queued to be answered as an unknown command.
            if !isNumbered {
                queue.enqueue(line, isNumbered: false, isFragment: true)
                return
            }
        }

        if isNumbered {
            // "N0 M110 N0*125": the line number M110 sets is the one after its own N.
            let isM110 = CLibrary.contains(command, "M110")
            var numberAt = command.startIndex
            if isM110, command.count > 4,
               let second = command[(command.startIndex + 4)...].firstIndex(of: UInt8(ascii: "N")) {
                numberAt = second
            }
            let lineNumber = CLibrary.strtol(command, from: numberAt + 1)
            if lineNumber != lastN + 1 && !isM110 {
                counters.lineNumberErrors += 1
                lineError("Line Number is not Last Line Number+1, Last Line: ")
                return
            }
            guard let star = command.lastIndex(of: UInt8(ascii: "*")) else {
                counters.noChecksumErrors += 1
                lineError("No Checksum with line number, Last Line: ")
                return
            }
            // uint8_t XOR of every byte from the command (leading spaces skipped) to the
            // last '*'; the number after it is read with strtol, so "*45junk" is 45.
            var checksum: UInt8 = 0
            for byte in command[command.startIndex..<star] { checksum ^= byte }
            if CLibrary.strtol(command, from: star + 1) != Int64(checksum) {
                counters.checksumErrors += 1
                lineError("checksum mismatch, Last Line: ")
                return
            }
            lastN = lineNumber
        }
        queue.enqueue(line, isNumbered: isNumbered, isFragment: false)
    }

    /// The first half of `gcode_line_error`: the error line. The drain and the resend
    /// request follow once the firmware has pushed the line into the TX buffer.
    private mutating func lineError(_ message: StaticString) {
        beginLine()
        append("Error:")
        append(message)
        append(lastN)
        endLine()
        resendPending = true
    }

    /// The rest of `gcode_line_error`: empty the RX ring, then `flush_and_request_resend`
    /// prints `Resend: <last_N + 1>` and a bare `ok`.
    mutating func finishLineError() {
        resendPending = false
        let drained = receiveBuffer.drain()
        counters.drainedBytes += drained.count
        if let last = drained.last {
            fragmentPending = !SerialLineReader.isEndOfLine(last)
        }
        counters.resendsRequested += 1
        beginLine()
        append("Resend: ")
        append(lastN + 1)
        endLine()
        printLine("ok")
    }

    /// Whether real Marlin would execute this line: G, M or T then a digit.
    static func wouldExecute(_ command: ArraySlice<UInt8>) -> Bool {
        guard command.count >= 2 else { return false }
        let letter = GCodeCommand.uppercase(command[command.startIndex])
        guard letter == UInt8(ascii: "G") || letter == UInt8(ascii: "M") || letter == UInt8(ascii: "T") else {
            return false
        }
        return CLibrary.isDigit(command[command.startIndex + 1])
    }
}
