import PrintEdgeCalibration
import PrintEdgeControl

/// `printedge calibrate`'s exit statuses (sysexits.h), the same for every kind; each
/// subcommand's help repeats them.
enum CalibrationExit {
    /// For each subcommand's discussion: what the statuses of `ExitStatus` mean for a calibration.
    static let help = """
        Exit status: 0 done; 1 the calibration failed (its message says why); 64 a parameter is wrong; 65 the printer's output could not be read, a value read back differs, or a limit of the profile refuses it; 66 standard input ended before a question was answered (the run was stopped); 69 the daemon or the printer is not there, or the firmware cannot do it; 70 an internal error; 74 the daemon's store failed; 75 the printer is busy (a job, another calibration), did not answer in time, the link was lost, or tramming did not converge: try again; 78 the profile or the firmware lacks what is needed (no [calibration] key, no EEPROM for --save); 130 stopped with Ctrl-C, the printer left safe (heaters this run turned on are off, motion stopped).
        """

    static func status(for failure: CalibrationFailure, interruption: CalibrationRun.Interruption) -> ExitStatus {
        switch failure.cause {
        case .cancelled: interruption == .noInput ? .noInput : .interrupted
        case .linkLost, .timedOut, .notConverged: .temporaryFailure
        case .unreadableOutput, .verification: .dataError
        case .firmware: .unavailable
        case .unsupported: failure.reason.contains("EEPROM_SETTINGS") ? .configuration : .unavailable
        }
    }
}
