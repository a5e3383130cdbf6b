/// Whether an input that guards printing (emergency stop, filament sensor, door) lets a job
/// start or resume, and if not, what the person at the printer has to do.
public enum InterlockDecision: Sendable, Equatable {
    case allowed
    case refused(reason: String)
}
