/// The event loop: what happens next and in which order at one instant — the stepper, the
/// UART's ISR, then the firmware's main loop or the handler blocking it, and the reports
/// `idle()` prints on its timers.
extension VirtualMarlin {
    /// The earliest instant something inside the printer happens, not counting bytes on
    /// their way to the host.
    func nextFirmwareEventNanoseconds() -> Int64? {
        var next = inbound.firstInstant ?? .max
        if isHalted { return next == .max ? nil : next }
        if let planned = planner.nextEventNanoseconds { next = min(next, planned) }
        if let wake = firmwareWakeNanoseconds() { next = min(next, max(wake, firmwareFreeAt)) }
        return next == .max ? nil : next
    }

    /// When the main loop or the blocked handler has something to do next, ignoring a
    /// stall on serial output.
    private func firmwareWakeNanoseconds() -> Int64? {
        if resendPending || quickStopRequested { return nowNanoseconds }
        var next = Int64.max
        if let due = nextAutoreportAt, !activity.isAutotuning { next = min(next, due) }
        if activity.isBlocking, let due = nextKeepaliveAt { next = min(next, due) }
        switch activity {
        case .ready:
            if !queue.isEmpty || (!receiveBuffer.isEmpty && !queue.isFull) { return nowNanoseconds }
        case .waitingForPlannerSlot:
            if planner.hasFreeSlot { return nowNanoseconds }
        case .synchronizing:
            if planner.isEmpty { return nowNanoseconds }
        case .homing(let until, _), .dwelling(let until), .probing(let until, _):
            next = min(next, until)
        case .autotuning(let nextSample):
            if !waitForHeatup { return nowNanoseconds }
            next = min(next, nextSample)
        case .heating(let until):
            if !waitForHeatup { return nowNanoseconds }
            next = min(next, until)
            if let due = nextTemperatureReportAt { next = min(next, due) }
        case .pausedForUser(let until):
            if !waitForUser { return nowNanoseconds }
            if let until { next = min(next, until) }
        }
        return next == .max ? nil : next
    }

    /// Everything due at `nowNanoseconds`: the stepper, the ISR, then the firmware.
    mutating func step() {
        while let (block, finishedAt) = planner.finishBlock(by: nowNanoseconds) {
            blockFinished(block)
            if planner.isEmpty { plannerRanEmpty(at: finishedAt) }
        }
        receiveArrivedBytes()
        runFirmware()
    }

    /// The UART ISR for every byte that has arrived.
    private mutating func receiveArrivedBytes() {
        while let arrival = inbound.firstInstant, arrival <= nowNanoseconds {
            var byte = inbound.removeFirst()
            counters.bytesReceived += 1
            if autotune != nil { counters.bytesReceivedDuringAutotune += 1 }
            if receiveNoise.roll() {
                byte ^= receiveNoise.bitMask()
                counters.rxBitsFlipped += 1
            }
            if isHalted { continue }
            if let command = emergencyParser.update(byte) {
                switch command {
                case .kill:
                    halt()
                    continue
                case .cancelWait:
                    waitForHeatup = false
                    waitForUser = false
                case .quickStop:
                    quickStopRequested = true
                case .promptResponse:
                    break
                }
            }
            if !receiveBuffer.push(byte) {
                counters.overrunBytes += 1
            }
        }
    }

    /// The firmware's main loop and `idle()`, for as long as it has work and is not
    /// stalled on serial output. A blocked handler first checks whether its wait is over,
    /// then lets `idle()` print what is due: a keepalive falling due at the very instant a
    /// wait ends is not printed.
    private mutating func runFirmware() {
        while !isHalted && firmwareFreeAt <= nowNanoseconds {
            if resendPending {
                finishLineError()
                continue
            }
            if quickStopRequested {
                quickStopRequested = false
                quickStop()
                continue
            }
            switch activity {
            case .ready:
                if printDueReports() { continue }
                readSerialCommands()
                if resendPending { continue }
                guard !queue.isEmpty else { return }
                executeHeadCommand()
            case .waitingForPlannerSlot(let block):
                guard planner.hasFreeSlot else {
                    if printDueReports() { continue }
                    return
                }
                if let block { enterPlanner(block) }
                finishCommand()
            case .synchronizing(let after):
                guard planner.isEmpty else {
                    if printDueReports() { continue }
                    return
                }
                switch after {
                case .home(let axes):
                    activity = .homing(until: nowNanoseconds + scaled(configuration.homingDuration), axes: axes)
                case .dwell(let nanoseconds):
                    activity = .dwelling(until: nowNanoseconds + nanoseconds)
                case .pauseForUser(let timeout):
                    waitForUser = true
                    activity = .pausedForUser(until: timeout.map { nowNanoseconds + $0 })
                case .reexecute:
                    activity = .ready
                    nextKeepaliveAt = nil
                    executeHeadCommand()
                case .nothing:
                    finishCommand()
                }
            case .homing(let until, let axes):
                guard nowNanoseconds >= until else {
                    if printDueReports() { continue }
                    return
                }
                finishHoming(axes)
                finishCommand()
            case .dwelling(let until):
                guard nowNanoseconds >= until else {
                    if printDueReports() { continue }
                    return
                }
                finishCommand()
            case .heating(let until):
                // Marlin's wait is a do-while: the first report comes even if the
                // temperature is already there.
                if printDueReports() { continue }
                guard !waitForHeatup || nowNanoseconds >= until else { return }
                nextTemperatureReportAt = nil
                finishCommand()
            case .pausedForUser(let until):
                if waitForUser, until.map({ nowNanoseconds < $0 }) ?? true {
                    if printDueReports() { continue }
                    return
                }
                waitForUser = false
                finishCommand()
            case .autotuning(let nextSample):
                guard !waitForHeatup || nowNanoseconds >= nextSample else { return }
                stepAutotune()
            case .probing(let until, let output):
                guard nowNanoseconds >= until else {
                    if printDueReports() { continue }
                    return
                }
                releaseHeldOutput(output)
                finishCommand()
            }
        }
    }

    /// The reports `idle()` prints on its timers; true if one was printed.
    private mutating func printDueReports() -> Bool {
        if activity.isBlocking, let due = nextKeepaliveAt, due <= nowNanoseconds {
            nextKeepaliveAt = keepaliveIntervalNanoseconds > 0 ? nowNanoseconds + keepaliveIntervalNanoseconds : nil
            if case .pausedForUser = activity {
                printLine("echo:busy: paused for user")
            } else {
                printLine("echo:busy: processing")
            }
            return true
        }
        if case .heating = activity, let due = nextTemperatureReportAt, due <= nowNanoseconds {
            nextTemperatureReportAt = nowNanoseconds + 1_000_000_000
            beginLine()
            appendTemperatures()
            append(" W:?")
            endLine()
            return true
        }
        if let due = nextAutoreportAt, due <= nowNanoseconds, !activity.isAutotuning {
            nextAutoreportAt = nowNanoseconds + autoreportIntervalNanoseconds
            beginLine()
            appendTemperatures()
            endLine()
            return true
        }
        return false
    }

    /// A Marlin time (motion, homing, dwell) divided by the speedup, in nanoseconds.
    func scaled(_ duration: Duration) -> Int64 {
        scaled(nanoseconds: Double(duration.nanosecondsClamped))
    }

    /// Saturates at about three years, so absurd parameters cannot overflow the clock.
    func scaled(nanoseconds: Double) -> Int64 {
        let value = (nanoseconds / speedup).rounded()
        guard !value.isNaN else { return 0 }
        return Int64(min(1.0e17, max(0, value)))
    }
}
