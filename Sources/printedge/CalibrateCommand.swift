import ArgumentParser

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate a printer through the daemon: PID, e-steps, flow, probe, Z offset, bed mesh, tramming, settings.",
        discussion: """
            Each run needs an idle printer (no job printing or paused) and holds it until it ends: jobs, manual G-code and other calibrations are refused meanwhile. Every run is kept in the daemon's store (`printedge calibrate history`) and reported to the fleet; `printedge status` shows which results a later run made stale (tramming makes the Z offset and the mesh stale, a new Z offset the mesh). Ctrl-C stops a run and leaves the printer safe: what the run heated is turned off, what it moved is stopped, before the command exits.

            \(CalibrationExit.help)
            """,
        subcommands: [
            CalibratePIDCommand.self, CalibrateExtruderStepsCommand.self, CalibrateFlowCommand.self, CalibrateProbeAccuracyCommand.self,
            CalibrateZOffsetCommand.self, CalibrateMeshCommand.self, CalibrateTrammingCommand.self, CalibrateSettingsCommand.self,
            CalibrateHistoryCommand.self,
        ])
}
