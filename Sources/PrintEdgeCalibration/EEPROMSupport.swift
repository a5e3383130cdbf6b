/// Whether the firmware can keep settings over a reset, from `M115`'s `Cap:EEPROM:0|1`
/// (EXTENDED_CAPABILITIES_REPORT). Stock Marlin ships with `//#define EEPROM_SETTINGS`: without
/// it `M500` answers `Error:EEPROM disabled` and `M501` silently resets every setting to the
/// compiled defaults (`settings.h`: `load() { reset(); report(); }`), so a session only reloads
/// from EEPROM to prove a save when the firmware said it has one.
public enum EEPROMSupport: String, Codable, Sendable {
    case present
    case absent
    /// No capability report (old firmware, or EXTENDED_CAPABILITIES_REPORT off).
    case unknown

    /// The message for `--save` on a firmware without EEPROM.
    static let cannotPersist = "this firmware was built without EEPROM_SETTINGS (M500 answers `Error:EEPROM disabled`): --save cannot persist anything, and the values last until the printer resets; put them in the firmware's Configuration.h to keep them"
}

/// How a session's changes were kept.
public enum Persistence: String, Codable, Sendable {
    /// Nothing was to be saved: the values are in the printer's memory until it resets.
    case notRequested = "not_requested"
    /// `M500`, then `M501` reloaded the EEPROM and `M503 S0` reported the new values.
    case verified
    /// `M500` reported no error, but the firmware did not say it has an EEPROM, so it was not
    /// reloaded (`M501` without one would reset every setting): read back from memory only.
    case storedUnverified = "stored_unverified"
}
