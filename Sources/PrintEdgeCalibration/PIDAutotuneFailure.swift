/// Why an `M303` tune ended without constants. The first three are Marlin's own
/// `PID Autotune failed!` reasons (`STR_PID_BAD_HEATER_ID`, `STR_PID_TEMP_TOO_HIGH`,
/// `STR_PID_TIMEOUT`, unchanged from 2.0.9 to bugfix-2.1.x).
public enum PIDAutotuneFailure: Sendable, Equatable {
    /// The heater has no PID: `PIDTEMPBED`/`PIDTEMPCHAMBER` off, or a hotend under MPC
    /// (`MPCTEMP` excludes `PIDTEMP`, `SanityCheck.h`).
    case badHeaterID
    /// The target is above the heater's limit, or the tune overshot it by more than
    /// `MAX_OVERSHOOT_PID_AUTOTUNE` (30 °C).
    case temperatureTooHigh
    /// No crossing within `MAX_CYCLE_TIME_PID_AUTOTUNE` (20 minutes).
    case timeout
    /// The firmware's thermal protection stopped the printer (`Error:Heating failed…`).
    case heaterFault(String)
    /// Another `PID Autotune failed!` wording.
    case other(String)

    /// What to tell the person, for `heater`.
    public func explanation(for heater: PIDHeater) -> String {
        switch self {
        case .badHeaterID:
            switch heater {
            case .hotend:
                "PID Autotune failed! Bad heater id: the firmware has no PID for the \(heater); a Marlin 2.1 hotend that uses MPC instead is tuned with M306 T"
            case .bed:
                "PID Autotune failed! Bad heater id: the firmware has no PID for the bed (PIDTEMPBED is off): the bed heats bang-bang and needs no tune"
            case .chamber:
                "PID Autotune failed! Bad heater id: the firmware has no PID for the chamber (PIDTEMPCHAMBER is off)"
            }
        case .temperatureTooHigh:
            "PID Autotune failed! Temperature too high: the target is above what the firmware allows for the \(heater), or the tune overshot it by more than 30 °C; choose a lower target"
        case .timeout:
            "PID Autotune failed! timeout: the \(heater) did not cross the target within the firmware's cycle time (20 minutes by default): check its heater and thermistor, and that the target is reachable"
        case .heaterFault(let message):
            "the firmware stopped the tune: \"\(message)\"; the printer halted with its heaters off and must be reset (M999 or the reset button) once the heater and thermistor are checked"
        case .other(let message):
            "the tune failed: \"\(message)\""
        }
    }
}
