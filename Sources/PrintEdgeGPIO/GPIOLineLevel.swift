/// A physical level on the wire, for saying how a sensor is wired ("reads low while the
/// door is closed"); requests then set `activeLow` so that everything above sees logical
/// values.
public enum GPIOLineLevel: String, Sendable, Hashable, CaseIterable {
    case low
    case high
}
