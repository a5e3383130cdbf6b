/// The probe's offset from the nozzle, mm (`M851`). Z is negative for a probe that triggers
/// below the nozzle (MarlinDocumentation `_gcode/M851.md`).
///
/// Read from `M851` with no words, whose reply has no `echo:` and no heading
/// (`M851_report(forReplay=true)`: `  M851 Y-9.00 Z-1.65 ; (mm)`), from the same
/// line in `M503`, or from `M290`'s `echo:Probe Offset Z-1.63` (BABYSTEP_ZPROBE_OFFSET).
public struct ProbeOffset: Codable, Sendable, Equatable {
    public var xMM: Double?
    public var yMM: Double?
    public var zMM: Double

    public init(xMM: Double? = nil, yMM: Double? = nil, zMM: Double) {
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
    }

    /// Nil for any other line.
    public init?(line: Substring) {
        if let command = SettingsCommand(line: line), command.code == "M851", let z = command.value("Z") {
            self.init(xMM: command.value("X"), yMM: command.value("Y"), zMM: z)
            return
        }
        let text = FirmwareText.body(line)
        guard text.hasPrefix("Probe Offset"), let z = DecimalNumber.after("Z", in: text.dropFirst(12), terminators: [";"]) else { return nil }
        self.init(xMM: DecimalNumber.after("X", in: text.dropFirst(12)).map(\.value), yMM: DecimalNumber.after("Y", in: text.dropFirst(12)).map(\.value), zMM: z.value)
    }

    public init?(line: String) {
        self.init(line: line[...])
    }

    /// The offset from a settings snapshot's `M851` line.
    public init?(settings: FirmwareSettings) {
        guard let command = settings.commands("M851").first, let z = command.value("Z") else { return nil }
        self.init(xMM: command.value("X"), yMM: command.value("Y"), zMM: z)
    }

    enum CodingKeys: String, CodingKey {
        case xMM = "x_mm"
        case yMM = "y_mm"
        case zMM = "z_mm"
    }
}
