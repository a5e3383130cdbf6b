/// Marlin's EMERGENCY_PARSER (`feature/e_parser.h`): a state machine the serial ISR runs
/// on every received byte, before the byte is stored — so it sees bytes even when the RX
/// ring is full or the main loop is blocked in a command, and even bytes that a later
/// drain throws away.
///
/// It recognises `M108`, `M112`, `M410` and `M876 S<n>` at the start of a line (after an
/// optional `N<number>`), acting at the end of the line. Like Marlin it ignores comments
/// and checksums: anything after the code up to the newline is skipped, so `N7 M112*45`
/// and `M112 ; stop` both trigger it, and so does `M1120` (the state only looks for the
/// end of line once it has matched `M112`).
struct EmergencyParser: Sendable {
    enum Command: Sendable, Equatable {
        case cancelWait      // M108: wait_for_heatup = wait_for_user = false
        case kill            // M112: killed_by_M112
        case quickStop       // M410: quickstop_by_M410
        case promptResponse  // M876 S<n>
    }

    private enum State: UInt8, Sendable {
        case reset, lineNumber, m, m1, m10, m108, m11, m112, m4, m41, m410
        case m8, m87, m876, m876S, m876SN, ignore
    }

    private var state: State = .reset

    mutating func reset() {
        state = .reset
    }

    /// Feeds one received byte; returns the command whose line it ends, if any.
    mutating func update(_ byte: UInt8) -> Command? {
        let isEndOfLine = byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        switch state {
        case .reset:
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"): break
            case UInt8(ascii: "N"): state = .lineNumber
            case UInt8(ascii: "M"): state = .m
            default: state = .ignore
            }
        case .lineNumber:
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: " "): break
            case UInt8(ascii: "M"): state = .m
            default: state = .ignore
            }
        case .m:
            switch byte {
            case UInt8(ascii: " "): break
            case UInt8(ascii: "1"): state = .m1
            case UInt8(ascii: "4"): state = .m4
            case UInt8(ascii: "8"): state = .m8
            default: state = .ignore
            }
        case .m1:
            switch byte {
            case UInt8(ascii: "0"): state = .m10
            case UInt8(ascii: "1"): state = .m11
            default: state = .ignore
            }
        case .m10: state = byte == UInt8(ascii: "8") ? .m108 : .ignore
        case .m11: state = byte == UInt8(ascii: "2") ? .m112 : .ignore
        case .m4: state = byte == UInt8(ascii: "1") ? .m41 : .ignore
        case .m41: state = byte == UInt8(ascii: "0") ? .m410 : .ignore
        case .m8: state = byte == UInt8(ascii: "7") ? .m87 : .ignore
        case .m87: state = byte == UInt8(ascii: "6") ? .m876 : .ignore
        case .m876:
            switch byte {
            case UInt8(ascii: " "): break
            case UInt8(ascii: "S"): state = .m876S
            default: state = .ignore
            }
        case .m876S:
            // Marlin has no default branch here, so `M876 S` with no digit would park the
            // parser until some later line supplies one, hiding an M112 on the way. That
            // state exists only with HOST_PROMPT_SUPPORT, which this printer reports off
            // (Cap:PROMPT_SUPPORT:0); an end of line resets it instead.
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                state = .m876SN
            } else if isEndOfLine {
                state = .reset
            }
        case .ignore:
            if isEndOfLine { state = .reset }
        case .m108, .m112, .m410, .m876SN:
            guard isEndOfLine else { return nil }
            let matched = state
            state = .reset
            switch matched {
            case .m108: return .cancelWait
            case .m112: return .kill
            case .m410: return .quickStop
            default: return .promptResponse
            }
        }
        return nil
    }
}
