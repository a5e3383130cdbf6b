extension GPIOChip {
    /// Requests an output line without changing its level, and says which level that was.
    ///
    /// For a relay switching printer power: a daemon restart must not switch an idle
    /// printer on, nor a printing one off. Three ioctls, and the line is never driven to
    /// another level in between:
    /// 1. GPIO_V2_GET_LINE_IOCTL with no direction flag (`GPIOLineSettings.asIs`): the kernel
    ///    leaves the line as it is; only `activeLow` is set, so the read is logical.
    /// 2. GPIO_V2_LINE_GET_VALUES_IOCTL: the line's level. An output still driven (the
    ///    previous holder's level, kept by bcm2835 and rp1 when a request is released) reads
    ///    back what it drives. A line the kernel's pinctrl reset to an input on release (as
    ///    some mainline drivers do) reads what the board's pull resistor makes of it — which
    ///    is then the relay's real state too.
    /// 3. GPIO_V2_LINE_SET_CONFIG_IOCTL: an output driving that same level, or inactive when
    ///    `forcingInactive` (an emergency stop pressed at start).
    ///
    /// If any step fails the request is released, the line still as it was.
    public func takeOverOutput(
        offset: UInt32, activeLow: Bool, drive: GPIOLineSettings.Drive = .pushPull, consumer: String, forcingInactive: Bool = false
    ) throws(GPIOError) -> (request: GPIOLineRequest, foundActive: Bool) {
        let request = try request(
            GPIOLineRequestConfiguration(consumer: consumer, lines: [.init(offset: offset, settings: .asIs(activeLow: activeLow))]))
        let foundActive = try request.value(offset: offset)
        try request.reconfigure([offset: .output(initiallyActive: foundActive && !forcingInactive, activeLow: activeLow, drive: drive)])
        return (request, foundActive)
    }
}
