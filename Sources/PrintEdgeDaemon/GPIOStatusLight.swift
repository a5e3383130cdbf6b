import PrintEdgeGPIO

/// Which pattern a status LED shows for the printers it serves: the state that most needs
/// someone wins, so one LED on a host of several printers still says "come and look".
enum GPIOStatusLight {
    /// Error (an emergency stop pressed, a printer halted or whose connection failed) over paused
    /// over printing over idle. A printer finishing a pause or a cancel still counts as
    /// printing: the head is moving. Offline printers (not plugged in, powered off) are idle.
    static func pattern(for activities: [PrinterActivity?], emergencyStopPressed: Bool) -> StatusLEDPattern {
        let states = activities.compactMap { $0?.state }
        if emergencyStopPressed || states.contains(.error) || states.contains(.halted) { return .error }
        if states.contains(.paused) { return .paused }
        if states.contains(where: { $0 == .printing || $0 == .finishing }) { return .printing }
        return .idle
    }
}
