import PrintEdgeCore

/// The G-code the daemon sends around a job, one command per element, as the printer will
/// receive it: the profile's multi-line strings lose their comments, blank lines and extra
/// white space (the same normalisation a job's lines get).
///
/// The defaults rely on stock Marlin: `G91`/`G90` switch to relative moves and back
/// (which also switches E; the daemon restores the job's modes on resume), and a lift past
/// Z_MAX_POS is clamped by the software endstops (MAX_SOFTWARE_ENDSTOPS, on by default).
public struct GCodeScripts: Sendable, Equatable {
    /// Before the job's first line. Empty by default: slicers put the start G-code in the file.
    public var start: [String]
    /// When a job is paused, after the queue drained: lift and park, to reach the nozzle and
    /// keep it from oozing onto the print.
    public var pause: [String]
    /// Before the job continues. Empty by default: the daemon moves back to where the job
    /// paused and restores its feed rate and modes itself.
    public var resume: [String]
    /// When a job is cancelled: heaters and fan off, lift, present the bed, motors off
    /// except Z (so the gantry does not drop on printers whose Z back-drives).
    public var cancel: [String]

    public init(start: [String] = [], pause: [String], resume: [String] = [], cancel: [String]) {
        self.start = start
        self.pause = pause
        self.resume = resume
        self.cancel = cancel
    }

    /// Marlin defaults for a printer with this volume: lift 10 mm, park at X min, Y max
    /// (on a bed slinger Y max brings the bed, and the print, to the front).
    public static func defaults(for volume: BuildVolume) -> GCodeScripts {
        let lift = ["G91", "G1 Z10 F600", "G90"]
        let park = "G1 X\(gcodeNumber(volume.xMinMM)) Y\(gcodeNumber(volume.yMaxMM)) F6000"
        return GCodeScripts(
            pause: lift + [park],
            cancel: ["M104 S0", "M140 S0", "M106 S0"] + lift + [park, "M84 X Y E"])
    }

    /// `220` rather than `220.0`: Marlin reads both, people read the first.
    static func gcodeNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }

    /// Reads `[gcode]`; absent scripts keep `defaults`. Every command must fit the
    /// printer's line limit once framed, as a job's lines must.
    init(reading table: inout TableReader, defaults: GCodeScripts, maxLineBytes: Int) throws(ConfigurationError) {
        func script(_ key: String) throws(ConfigurationError) -> [String]? {
            guard let text: String = try table.optional(key) else { return nil }
            return try Self.commands(in: text, key: key, table: table, maxLineBytes: maxLineBytes)
        }
        let start = try script("start")
        let pause = try script("pause")
        let resume = try script("resume")
        let cancel = try script("cancel")
        try table.rejectUnknownKeys()
        self.init(
            start: start ?? defaults.start, pause: pause ?? defaults.pause, resume: resume ?? defaults.resume,
            cancel: cancel ?? defaults.cancel)
    }

    /// The script's commands, normalised as a job's lines are; a line the printer could
    /// not take fails with its own line and column in the file.
    private static func commands(
        in script: String, key: String, table: TableReader, maxLineBytes: Int
    ) throws(ConfigurationError) -> [String] {
        let textPosition = table.table[key]?.textPosition
        var preflight = GCodePreflight(maxFramedBytes: maxLineBytes)
        var commands: [String] = []
        for (offset, rawLine) in script.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let rejection: GCodePreflight.Rejection
            do {
                if let command = try preflight.check(rawLine: rawLine) { commands.append(String(decoding: command, as: UTF8.self)) }
                continue
            } catch {
                rejection = error
            }
            let byteOffset: Int
            let problem: String
            switch rejection.reason {
            case .lineTooLong(let framedBytes, let limit):
                byteOffset = rawLine.prefix(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).count
                problem =
                    "command \(rejection.excerpt) is \(framedBytes) bytes once framed for the printer, over its limit of \(limit) (max_line_bytes, Marlin's MAX_CMD_SIZE); shorten it"
            case .nonASCII(let byte, let column):
                byteOffset = column - 1
                problem =
                    "byte 0x\(String(byte, radix: 16, uppercase: true)) is not printable ASCII and would reach the printer (it is not in a comment); remove it"
            }
            let position = textPosition.map { start in
                let column = rawLine.prefix(byteOffset).filter { $0 & 0xC0 != 0x80 }.count + 1
                return offset == 0
                    ? SourcePosition(line: start.line, column: start.column + column - 1)
                    : SourcePosition(line: start.line + offset, column: column)
            }
            throw ConfigurationError(
                kind: .invalidValue, file: table.file, position: position ?? table.position(of: key), key: table.dotted(key),
                message: "script `\(table.dotted(key))`: \(problem)")
        }
        return commands
    }
}
