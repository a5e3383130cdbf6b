import Logging

/// The daemon's start-up, timed step by step and logged at debug level
/// (`printedged --log-level debug`): on a slow SD card or a busy CPU, the journal shows which
/// step took the time.
struct StartupSteps {
    private let logger: Logger
    private var last = ContinuousClock.now

    init(logger: Logger) {
        self.logger = logger
    }

    /// Logs `step` with the time since the previous one ended.
    mutating func finished(_ step: String) {
        let now = ContinuousClock.now
        logger.debug("start-up: \(step) in \(Self.milliseconds(now - last)) ms")
        last = now
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
