import Testing

/// The daemon with USB hot-plug and GPIO lines, in-process, against simulators on real
/// ptys. One at a time: each runs a daemon and simulators, and the emergency stop's
/// latency figure means most on a quiet machine.
@Suite(.serialized) enum HardwareInTheDaemon {}
