/// At most `linesPerWindow` messages of one kind per `window`; the rest are counted, and one
/// line says how many were left out. A printer whose port flaps (unplugged, replugged, a
/// bad cable) logs the same failure every reconnect: the journal keeps the first few and the
/// count, not ten thousand lines that push everything else out of a small SD card's journal.
///
/// A kind is a key the caller derives (`JournalWriter`: the level, the printer and the text
/// with its numbers blanked). Each key has a window that starts with its first message. The
/// count of a window that ended with messages left out comes back with the next message of
/// any key, so it is written before that one, never lost to a quiet moment that follows.
///
/// Sans-I/O and clock-free: every message carries `now`, generic over the instant so the
/// writer passes its monotonic clock and tests a manual one. `Message` is whatever the
/// caller needs to write the count (the last message left out is kept as the example).
public struct LogRateLimiter<Instant: InstantProtocol, Message: Sendable & Equatable>: Sendable where Instant.Duration == Duration {
    public struct Policy: Sendable, Equatable {
        public var linesPerWindow: Int
        public var window: Duration
        /// Keys followed at once; beyond them a new kind of message is written unlimited
        /// rather than making the limiter's memory grow without bound.
        public var maxKeys: Int

        public init(linesPerWindow: Int = 10, window: Duration = .seconds(60), maxKeys: Int = 256) {
            self.linesPerWindow = linesPerWindow
            self.window = window
            self.maxKeys = maxKeys
        }
    }

    /// Messages of one key left out during a window that has ended.
    public struct Suppression: Sendable, Equatable {
        public var key: String
        public var count: Int
        /// The last message left out.
        public var example: Message
        public var window: Duration
    }

    public enum MessageAction: Sendable, Equatable {
        /// Write the counts first (their windows ended), then the message.
        case write(after: [Suppression])
        /// Leave the message out, but write the counts.
        case suppress(after: [Suppression])
    }

    private struct Window {
        var start: Instant
        var written: Int
        var suppressed: Int
        var example: Message?
    }

    public let policy: Policy
    private var windows: [String: Window] = [:]

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    public mutating func message(_ message: Message, key: String, at now: Instant) -> MessageAction {
        let ended = closeEndedWindows(at: now)
        guard var window = windows[key] else {
            if windows.count < policy.maxKeys { windows[key] = Window(start: now, written: 1, suppressed: 0) }
            return .write(after: ended)
        }
        guard window.written < policy.linesPerWindow else {
            window.suppressed += 1
            window.example = message
            windows[key] = window
            return .suppress(after: ended)
        }
        window.written += 1
        windows[key] = window
        return .write(after: ended)
    }

    /// Forgets windows that have ended, returning the counts of those that left messages out.
    private mutating func closeEndedWindows(at now: Instant) -> [Suppression] {
        var ended: [Suppression] = []
        for (key, window) in windows where window.start.advanced(by: policy.window) <= now {
            windows[key] = nil
            if window.suppressed > 0, let example = window.example {
                ended.append(Suppression(key: key, count: window.suppressed, example: example, window: policy.window))
            }
        }
        return ended.sorted { $0.key < $1.key }
    }
}
