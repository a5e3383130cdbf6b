/// Counters of one stream, for progress bars, summaries and benchmarks.
public struct StreamProgress: Sendable, Equatable {
    /// Distinct file lines written at least once.
    public var linesSent = 0
    /// File lines the firmware has taken (the highest line known handled).
    public var linesAcknowledged = 0
    /// The wire number (`N`) of the last line known handled: a connection that carries a job
    /// among the host's and the user's commands maps it back to the job's own lines.
    public var highestAcknowledgedLineNumber = 0
    /// Every byte written, retransmissions and syncs included.
    public var bytesSent = 0
    public var retransmittedLines = 0
    /// `Resend:` requests that caused a rewind.
    public var resendRequests = 0
    /// Duplicate, stale or implausible `Resend:` requests that were (rightly) ignored.
    public var ignoredResendRequests = 0
    /// `ok`s that acknowledged nothing (error and fragment `ok`s, stale ones).
    public var ignoredOks = 0
    /// `Error:` lines about a damaged or missing line.
    public var lineErrors = 0
    public var timeouts = 0
    /// From each line's write to its `ok`, for every `ok` matched to its line.
    public var replyLatency = ReplyLatencyHistogram()
    public var flow: FlowStrategy?

    public init() {}
}
