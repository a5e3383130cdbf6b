/// One line the firmware sent, classified.
///
/// Marlin's strings are stable on purpose ("Don't change these strings because serial hosts
/// look for them", `language.h`); other firmwares (Prusa, Repetier, Teacup) vary them
/// slightly and the parser accepts those variants. Nothing here is fatal by itself: an
/// unrecognised line becomes `.other` and is logged.
public enum FirmwareReply: Sendable, Equatable {
    case ok(OkReply)
    case resend(line: Int)
    case error(FirmwareError)
    case busy(BusyReason)
    /// Printed on every boot, so mid-stream it means the board reset.
    case start
    /// Marlin's `NO_TIMEOUTS` idle signal: the command queue and RX buffer are empty.
    case wait
    case temperature(TemperatureReport)
    case capability(name: String, enabled: Bool)
    case firmwareInfo(FirmwareInfo)
    case action(HostAction)
    case unknownCommand(String)
    case echo(String)
    case other(String)
}

/// `ok`, with ADVANCED_OK's `N<line> P<planner blocks free> B<command slots free>`
/// or `M105`'s temperatures after it.
public struct OkReply: Sendable, Equatable {
    public var lineNumber: Int?
    public var plannerBlocksFree: Int?
    public var commandSlotsFree: Int?
    public var temperatures: TemperatureReport?

    public init(lineNumber: Int? = nil, plannerBlocksFree: Int? = nil, commandSlotsFree: Int? = nil,
                temperatures: TemperatureReport? = nil) {
        self.lineNumber = lineNumber
        self.plannerBlocksFree = plannerBlocksFree
        self.commandSlotsFree = commandSlotsFree
        self.temperatures = temperatures
    }

    public var isAdvanced: Bool { plannerBlocksFree != nil || commandSlotsFree != nil }
}

public enum FirmwareError: Sendable, Equatable {
    /// `Line Number is not Last Line Number+1, Last Line: n`: a line went missing.
    case lineNumber(lastLine: Int?)
    /// `checksum mismatch, Last Line: n`: a line arrived corrupted.
    case checksumMismatch(lastLine: Int?)
    /// `No Checksum with line number, Last Line: n` (or the reverse wording).
    case missingChecksum(lastLine: Int?)
    /// `Printer halted. kill() called!`: the firmware stopped; only a reset brings it back.
    case halted(String)
    /// `Printer stopped due to errors...` (M999 needed).
    case stopped(String)
    /// Thermal runaway, MINTEMP/MAXTEMP, heating failed.
    case thermal(String)
    case other(String)

    /// Errors that the firmware follows with `Resend:` and `ok`.
    public var requestsResend: Bool {
        switch self {
        case .lineNumber, .checksumMismatch, .missingChecksum: true
        default: false
        }
    }

    public var lastLine: Int? {
        switch self {
        case .lineNumber(let line), .checksumMismatch(let line), .missingChecksum(let line): line
        default: nil
        }
    }
}

public enum BusyReason: Sendable, Equatable {
    case processing
    case pausedForUser
    case pausedForInput
    case other(String)
}

/// `//action:` host action commands, sent by the printer's own screen or firmware.
public enum HostAction: Sendable, Equatable {
    case pause
    case paused
    case resume
    case resumed
    case cancel
    case disconnect
    case other(String)
}

/// The `M115` identification line: `FIRMWARE_NAME:Marlin 2.1.2 (...) SOURCE_CODE_URL:... EXTRUDER_COUNT:1`.
public struct FirmwareInfo: Sendable, Equatable {
    public var fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
    }

    public var firmwareName: String? { fields["FIRMWARE_NAME"] }
    public var machineType: String? { fields["MACHINE_TYPE"] }
    public var extruderCount: Int? { fields["EXTRUDER_COUNT"].flatMap { Int($0) } }
}

extension FirmwareReply {
    /// Whether a line answers a person's command rather than keeping the link going: `ok`s,
    /// busy keepalives, `wait` and temperature autoreports are left out of what `printedge send`
    /// shows; `M105`'s `ok T:` only when the person asked for it (`askedForTemperatures`), since
    /// the host's own syncs and polls answer the same way.
    public static func isWorthShowing(_ line: String, askedForTemperatures: Bool) -> Bool {
        switch FirmwareReply(parsing: line[...]) {
        case .ok(let ok): askedForTemperatures && ok.temperatures != nil
        case .busy, .wait, .temperature, .resend: false
        default: true
        }
    }

    /// Whether a line refuses a command: `Error:…` or "Unknown command".
    public static func isRefusal(_ line: String) -> Bool {
        switch FirmwareReply(parsing: line[...]) {
        case .error, .unknownCommand: true
        default: false
        }
    }
}
