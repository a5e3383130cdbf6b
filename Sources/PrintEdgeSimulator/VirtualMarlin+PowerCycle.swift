/// The two ways the firmware stops dead: `kill()` (M112), and a reset (the board's button,
/// a power blip, `--reset-after-lines`).
extension VirtualMarlin {
    /// `kill()`: heaters off, steppers stopped, `Error:Printer halted. kill() called!`, then
    /// a dead loop that ignores the host until a reset. Bytes already on their way out still
    /// leave; what was received is never read (so a later reset finds nothing half-read).
    mutating func halt() {
        hotend.setTarget(0, at: nowNanoseconds)
        bed.setTarget(0, at: nowNanoseconds)
        stopSteppers()
        _ = receiveBuffer.drain()
        lineReader.reset()
        printLine("Error:Printer halted. kill() called!")
        isHalted = true
    }

    /// A power cycle of the controller: every buffer, the planner, the line number and
    /// the modes start over, a halted board lives again, then the `start` banner. Bytes
    /// still on the wire keep coming; a line the reset cut in two arrives as a fragment.
    mutating func reset() {
        counters.resets += 1
        isHalted = false
        if receiveBuffer.isEmpty {
            fragmentPending = lineReader.isInsideLine
        } else {
            let drained = receiveBuffer.drain()
            fragmentPending = drained.last.map { !SerialLineReader.isEndOfLine($0) } ?? false
        }
        lineReader.reset()
        emergencyParser.reset()
        queue.removeAll()
        autotune = nil
        heldOutput = nil
        homed = HomingAxes(x: false, y: false, z: false)
        manualProbeIndex = nil
        babystepTotalMillimetres = 0
        meshStorageSlot = -1
        applyStoredSettings(announce: false)
        loseTrackOfPosition()
        hotend.setTarget(0, at: nowNanoseconds)
        bed.setTarget(0, at: nowNanoseconds)
        lastN = 0
        activity = .ready
        resendPending = false
        quickStopRequested = false
        waitForHeatup = false
        waitForUser = false
        keepaliveIntervalNanoseconds = VirtualMarlin.defaultKeepaliveNanoseconds
        nextKeepaliveAt = nil
        nextTemperatureReportAt = nil
        autoreportIntervalNanoseconds = 0
        nextAutoreportAt = nil
        relativeAxes = false
        extruderMode = .followAxes
        feedrateMMPerMinute = 1500
        feedratePercent = 100
        printBanner()
    }
}
