/// The GPIO chip for printer power relays and buttons. Minimal for now: the pin map
/// arrives with the hardware work.
public struct GPIOSettings: Sendable, Equatable {
    /// A chip's label (`pinctrl-bcm2835`) or device path (`/dev/gpiochip0`); labels survive
    /// the renumbering of chips between kernels.
    public var chip: String

    public init(chip: String) {
        self.chip = chip
    }

    /// Reads `[gpio]`.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let chip: String = try table.required(
            "chip", .notEmpty, meaning: "a chip label such as \"pinctrl-bcm2835\" or a path such as \"/dev/gpiochip0\"")
        try table.rejectUnknownKeys()
        self.init(chip: chip)
    }
}
