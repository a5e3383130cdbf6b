import PrintEdgeControl

/// What a console prints, from the two streams it gets: its `console` request's events
/// (everything the printer says) and, for the command being sent, that `send` request's
/// events (what the printer said while it ran). Each line is printed once, a command's
/// replies grouped under it; `ok`s and temperature reports are hidden unless `showNoise`.
///
/// The daemon gives both streams every event in the same order, but from two tasks, so
/// either copy of an event may arrive first: a console copy that arrives during a send waits
/// in `held` for its send copy, and a send copy that arrives first leaves its console copy
/// expected in `echoes`, to be dropped when it comes. Sans-I/O: tested without a daemon.
struct ConsoleTranscript {
    /// The command whose `send` runs, if any.
    private(set) var sending: String?
    var showNoise = false
    /// Send copies whose console copy has not come yet.
    private var echoes: [ConsoleEvent] = []
    /// Console copies, during a send, whose send copy has not come yet.
    private var held: [ConsoleEvent] = []
    /// Replies of the firmware that refused a command (`echo:Unknown command`, `Error:`).
    private(set) var refusals: [String] = []
    /// The last reply lines of each stream, to drop the message events that repeat them.
    private var groupedReplies = ReplyLine.RingOfReplies()
    private var unsolicitedReplies = ReplyLine.RingOfReplies()
    /// Whether the command sent is M105, and its temperatures were shown: another `ok T:`
    /// in its group is the daemon's own poll.
    private var answeredTemperatures = false
    /// An event the daemon dropped leaves its echo unmatched for ever; this bounds them.
    static let maxEchoes = 1000

    /// A typed command goes out: the line that heads its group.
    mutating func sent(_ command: String) -> [String] {
        sending = command
        answeredTemperatures = false
        return ["> " + command]
    }

    mutating func consoleEvent(_ event: ConsoleEvent) -> [String] {
        // State changes reach only the console stream (a `send` leaves them out).
        if event.kind == "state" { return ["[state] " + event.text] }
        if let index = echoes.firstIndex(of: event) {
            echoes.remove(at: index)
            return []
        }
        if sending != nil {
            held.append(event)
            return []
        }
        return unsolicited(event)
    }

    mutating func sendEvent(_ event: ConsoleEvent) -> [String] {
        if let index = held.firstIndex(of: event) {
            held.remove(at: index)
        } else {
            echoes.append(event)
            if echoes.count > Self.maxEchoes { echoes.removeFirst(echoes.count - Self.maxEchoes) }
        }
        return grouped(event)
    }

    /// The send's final reply: every send copy has come by now, so what is still held
    /// happened outside it — unless the printer refused the command (`firmware_error`): the
    /// daemon then gives no replies with the send, and the held ones are its answer.
    mutating func sendFinished(error: ControlError?) -> [String] {
        defer { sending = nil }
        var lines: [String] = []
        let counted = refusals.count
        if let error, error.code == .firmwareError, !held.isEmpty {
            let answer = held
            held = []
            for event in answer { lines += grouped(event) }
        } else {
            lines = error.map { ["  error: " + $0.message] } ?? []
            for event in held { lines += unsolicited(event) }
        }
        if error?.code == .firmwareError, refusals.count == counted { refusals.append(error?.message ?? "") }
        held = []
        return lines
    }

    /// A line of the command's group: its replies, `ok`s and the daemon's own M105 answers
    /// left out.
    private mutating func grouped(_ event: ConsoleEvent) -> [String] {
        if event.kind == "reply", ReplyLine.isRefusal(event.text) { refusals.append(event.text) }
        if ReplyLine.repeats(event, recentReplies: groupedReplies) { return [] }
        switch event.kind {
        case "reply":
            groupedReplies.append(event.text)
            if showNoise { return ["  " + event.text] }
            if ReplyLine.isNoise(event.text) { return [] }
            if ReplyLine.isTemperatureAnswer(event.text) {
                let asked = sending.map { $0.uppercased().hasPrefix("M105") } ?? false
                guard asked, !answeredTemperatures else { return [] }
                answeredTemperatures = true
            }
            return ["  " + event.text]
        case "error": return ["  error: " + event.text]
        default: return ["  [\(event.kind)] " + event.text]
        }
    }

    /// What nobody typed: the printer's own messages, and its poll answers when shown.
    private mutating func unsolicited(_ event: ConsoleEvent) -> [String] {
        if ReplyLine.repeats(event, recentReplies: unsolicitedReplies) { return [] }
        switch event.kind {
        case "reply":
            unsolicitedReplies.append(event.text)
            let noise = ReplyLine.isNoise(event.text) || ReplyLine.isTemperatureAnswer(event.text)
            return !showNoise && noise ? [] : [event.text]
        case "error": return ["error: " + event.text]
        default: return ["[\(event.kind)] " + event.text]
        }
    }
}
