import PrintEdgeControl

extension JobSummary {
    /// Fills what the printer's live summary leaves out — the phase and since when, the
    /// run's start, the printing time and the ETA — from the job's recorded events and the
    /// printer's temperatures. `status`, `jobs.list` and the job commands all go through here,
    /// so every view of a job reads the same numbers.
    ///
    /// Where the printer gives a value itself (`phase`, `printingSeconds`), it is kept: the
    /// printer knows an M109 is waiting or the head is parking, the events do not.
    mutating func fillRun(from timeline: JobTimeline, temperatures: [HeaterReading], printerState: String?, nowMS: Int64) {
        startedAtMS = startedAtMS ?? timeline.startedAtMS
        guard state == "printing" || state == "paused" else { return }
        if phase == nil {
            phase = Self.phase(state: state, printerState: printerState, layer: layer, temperatures: temperatures)
            phaseSinceMS = timeline.stateSinceMS
        }
        guard printingSeconds == nil, let printed = timeline.printingSeconds(nowMS: nowMS) else { return }
        printingSeconds = printed
        // A recovery began part-way through the file: its time says nothing of the whole.
        if !timeline.isRecovery, fraction > 0.01, fraction < 1, printed > 0 {
            etaSeconds = printed * (1 - fraction) / fraction
        } else if fraction <= 0.01, let estimatedSeconds {
            etaSeconds = estimatedSeconds * (1 - fraction)
        }
    }

    /// A paused job whose printer is still `finishing` is parking (the pause G-code runs).
    /// Before its first layer, a printing job whose heater is still more than
    /// `heatingMarginCelsius` below its target is in the start G-code's M109/M190 wait
    /// (Marlin holds the queue until the heater is within TEMP_WINDOW of it).
    static func phase(state: String, printerState: String?, layer: Int?, temperatures: [HeaterReading]) -> String {
        if state == "paused" { return printerState == "finishing" ? "pausing" : "paused" }
        if printerState == "finishing" { return "finishing" }
        let heating = temperatures.contains { reading in
            guard let target = reading.targetCelsius, target > 0 else { return false }
            return reading.actualCelsius < target - heatingMarginCelsius
        }
        return layer == nil && heating ? "heating" : "printing"
    }

    static let heatingMarginCelsius = 2.0
}
