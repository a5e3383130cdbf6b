/// What the firmware prints, and how it leaves over the wire.
extension VirtualMarlin {
    mutating func beginLine() {
        outputLine.removeAll(keepingCapacity: true)
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { outputLine.append(contentsOf: $0) }
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        outputLine.append(contentsOf: bytes)
    }

    mutating func append(_ value: Int64) {
        if value < 0 { outputLine.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude)
    }

    mutating func append(_ value: Int) {
        append(Int64(value))
    }

    mutating func appendDigits(_ value: UInt64) {
        if value >= 10 { appendDigits(value / 10) }
        outputLine.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// A float as Marlin's `print_float(value, 2)` prints it: rounded half up.
    mutating func appendFixed2(_ value: Double) {
        guard value.isFinite else {
            append("nan")
            return
        }
        let hundredths = (abs(value) * 100 + 0.5).rounded(.down)
        let scaled = hundredths < 9.0e18 ? UInt64(hundredths) : UInt64(9.0e18)
        if value < 0 && scaled > 0 { outputLine.append(UInt8(ascii: "-")) }
        appendDigits(scaled / 100)
        outputLine.append(UInt8(ascii: "."))
        let fraction = scaled % 100
        outputLine.append(UInt8(ascii: "0") + UInt8(fraction / 10))
        outputLine.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    mutating func append(string text: String) {
        outputLine.append(contentsOf: text.utf8)
    }

    /// A float as Marlin's serial `printFloat(value, decimals)` prints it: `-` first for any
    /// negative value (so -0.0001 at 3 decimals is `-0.000`), then rounded half up;
    /// `nan`, `inf` and `ovf` beyond ±4294967040 as Arduino's Print does.
    mutating func appendFloat(_ value: Double, decimals: Int) {
        if value.isNaN { return append("nan") }
        if value.isInfinite { return append("inf") }
        if abs(value) > 4_294_967_040 { return append("ovf") }
        if value < 0 { outputLine.append(UInt8(ascii: "-")) }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = UInt64((abs(value) * Double(scale) + 0.5).rounded(.down))
        appendDigits(scaled / scale)
        guard decimals > 0 else { return }
        outputLine.append(UInt8(ascii: "."))
        let fraction = String(scaled % scale)
        for _ in fraction.count..<decimals { outputLine.append(UInt8(ascii: "0")) }
        outputLine.append(contentsOf: fraction.utf8)
    }

    /// Prints a line of text built at run time (calibration reports; not on the hot path).
    mutating func printLine(string text: String) {
        beginLine()
        append(string: text)
        endLine()
    }

    /// `print_heater_states()` for one hotend and a bed:
    /// ` T:201.30 /210.00 B:60.00 /60.00 @:127 B@:0`.
    mutating func appendTemperatures() {
        append(" T:")
        appendFixed2(hotend.temperature(at: nowNanoseconds))
        append(" /")
        appendFixed2(Double(hotend.targetCelsius))
        append(" B:")
        appendFixed2(bed.temperature(at: nowNanoseconds))
        append(" /")
        appendFixed2(Double(bed.targetCelsius))
        append(" @:")
        append(hotend.power(at: nowNanoseconds))
        append(" B@:")
        append(bed.power(at: nowNanoseconds))
    }

    mutating func printLine(_ text: StaticString) {
        beginLine()
        append(text)
        endLine()
    }

    /// Sends the line built since `beginLine()` with its newline.
    ///
    /// `--drop-ok` loses a whole line that starts with `ok` here; `--noise-tx` flips a bit
    /// of a byte as it leaves. Bytes leave one byte time apart once the wire is free; when
    /// more than TX_BUFFER_SIZE of them are still waiting to start, the firmware is stalled
    /// until the UART has taken them, as Marlin's serial write blocks on a full buffer.
    mutating func endLine() {
        sendLine(terminated: true)
    }

    /// Sends what was built without a line end, as Marlin's `SERIAL_ECHOPGM` without `LN`
    /// does: whatever is printed next continues the same line on the wire (M303's `bias:`
    /// lines, glued to the temperature report that follows).
    mutating func endPartialLine() {
        sendLine(terminated: false)
    }

    private mutating func sendLine(terminated: Bool) {
        if heldOutput != nil {
            heldOutput?.append((outputLine, terminated))
            return
        }
        if outputLine.count >= 2 && outputLine[0] == UInt8(ascii: "o") && outputLine[1] == UInt8(ascii: "k"),
           okDrop.roll() {
            counters.oksDropped += 1
            return
        }
        if terminated { outputLine.append(UInt8(ascii: "\n")) }
        let ready = nowNanoseconds
        for index in outputLine.indices {
            var byte = outputLine[index]
            if transmitNoise.roll() {
                byte ^= transmitNoise.bitMask()
                counters.txBitsFlipped += 1
            }
            let departed = outboundLink.schedule(readyAt: ready)
            outbound.append(byte, arrivingAt: departed + outboundLink.latencyNanoseconds)
            recentDepartures[recentDepartureIndex] = departed
            recentDepartureIndex += 1
            if recentDepartureIndex == recentDepartures.count { recentDepartureIndex = 0 }
        }
        counters.bytesSent += outputLine.count
        // The oldest entry of the ring is the byte TX_BUFFER_SIZE before the last one: the
        // write returns once that byte has started transmitting.
        let oldest = recentDepartures[recentDepartureIndex]
        if oldest != .min {
            firmwareFreeAt = max(firmwareFreeAt, oldest - outboundLink.byteNanoseconds)
        }
    }

    /// Collects what is printed from now on instead of sending it, for a command whose
    /// output is worked out when it starts and leaves when its time is up.
    mutating func holdOutput() {
        heldOutput = []
    }

    /// Sends what `holdOutput()` collected, in order.
    mutating func releaseHeldOutput(_ lines: [(bytes: [UInt8], terminated: Bool)]) {
        heldOutput = nil
        for line in lines {
            outputLine = line.bytes
            sendLine(terminated: line.terminated)
        }
    }

    /// Stops holding and returns what was collected.
    mutating func takeHeldOutput() -> [(bytes: [UInt8], terminated: Bool)] {
        defer { heldOutput = nil }
        return heldOutput ?? []
    }

    /// What Marlin prints when someone pauses, resumes or cancels on the printer's own screen
    /// during a host print (HOST_ACTION_COMMANDS: `hostui.pause()`, `resume()`, `cancel()`):
    /// `//action:<name>`. Nothing else happens in the firmware; carrying it out is the host's
    /// job. A name that is not one printable ASCII word is refused: it could not be one line.
    public mutating func announceHostAction(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        beginLine()
        append("//action:")
        append(bytes[...])
        endLine()
        return true
    }

    /// The boot banner Marlin's `setup()` prints.
    mutating func printBanner() {
        printLine("start")
        if configuration.marlinVersion == .bugfix {
            printLine("echo:Marlin bugfix-2.1.x")
        } else {
            printLine("echo:Marlin 2.1.2.5")
        }
        printLine("echo: Last Updated: 2024-10-31 | Author: (printedge-sim)")
        printLine("echo: Compiled: Oct 31 2024")
        printLine("echo: Free Memory: 2420  PlannerBufferBytes: 1536")
        announceStoredSettings()
    }
}
