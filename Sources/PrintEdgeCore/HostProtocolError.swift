/// Why a stream stopped. Each message says what happened, where in the file, and what to do.
public enum HostProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The handshake (`M110`, `M115`) never got an answer.
    case noResponse(attempts: Int)
    /// The firmware stopped answering mid-stream, even to resent lines.
    case notResponding(timeouts: Int, lastAcknowledgedLine: Int)
    /// The firmware printed `start`: the board reset, its queue and position are gone.
    case firmwareReset(lastAcknowledgedLine: Int)
    case printerHalted(message: String, lastAcknowledgedLine: Int)
    case thermalError(message: String, lastAcknowledgedLine: Int)
    case resendOutOfHistory(requested: Int, oldestKept: Int)
    case resendStuck(line: Int, times: Int)
    case cancelledByPrinter(lastAcknowledgedLine: Int)

    public var description: String {
        switch self {
        case .noResponse(let attempts):
            "the printer did not answer the handshake (M110) after \(attempts) attempts: check that it is powered, the port is right and the baud rate matches its firmware"
        case .notResponding(let timeouts, let line):
            "the printer stopped answering (\(timeouts) timeouts in a row, nothing acknowledged after line \(line)): check the cable and the printer's screen"
        case .firmwareReset(let line):
            "the printer reset in the middle of the stream (it sent 'start') after line \(line): the print cannot continue safely; check its power supply and the USB cable"
        case .printerHalted(let message, let line):
            "the printer halted (\(message)) after line \(line): read its screen, fix the cause and reset it (M999 or power cycle)"
        case .thermalError(let message, let line):
            "the printer reported a thermal error (\(message)) after line \(line): check the heater and thermistor wiring before printing again"
        case .resendOutOfHistory(let requested, let oldest):
            "the printer asked to resend line \(requested), but only lines from \(oldest) on are kept: the stream cannot continue without skipping lines"
        case .resendStuck(let line, let times):
            "the printer asked for line \(line) \(times) times in a row: communication is stuck; check the cable or lower the baud rate"
        case .cancelledByPrinter(let line):
            "the print was cancelled from the printer (//action:cancel) after line \(line)"
        }
    }
}
