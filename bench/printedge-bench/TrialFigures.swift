import PrintEdgeAgent
/// The figures a table shows for one trial, derived from what printedge and the simulator
/// reported.
///
/// printedge reports zeros for rates, bytes and resends when a stream fails, so those are
/// shown only for completed runs; CPU time, peak RSS and the simulator's counters stand
/// either way.
extension Trial.Result {
    /// The summary of a stream that completed.
    var completedStream: StreamReport? {
        guard let stream, stream.completed, failure == nil else { return nil }
        return stream
    }

    var linesPerSecond: Double? { completedStream?.linesPerSecond }

    var elapsedSeconds: Double? { completedStream?.elapsedSeconds }

    var resends: Int? { completedStream?.resends }

    /// The wire limit for the bytes this run actually sent (resends and the handshake
    /// included): 8N1 carries baud/10 bytes a second, so sending `bytes_sent` takes at least
    /// bytes_sent / (baud/10) seconds, and `lines` cannot go faster than lines / that.
    var wireLimitLinesPerSecond: Double? {
        guard let stream = completedStream, stream.bytesSent > 0 else { return nil }
        let wireSeconds = Double(stream.bytesSent) / (Double(trial.baud) / 10)
        return Double(stream.lines) / wireSeconds
    }

    /// Lines per second as a share of the wire limit, in percent.
    var percentOfWireLimit: Double? {
        guard let linesPerSecond, let limit = wireLimitLinesPerSecond, limit > 0 else { return nil }
        return linesPerSecond / limit * 100
    }

    var cpuPer100kLines: String {
        Figure.cpuPer100kLines(streamProcess?.cpuSeconds, lines: stream?.lines)
    }

    var peakResidentMB: String {
        Figure.fixed(streamProcess?.peakResidentMB, 1)
    }

    /// The failure first, then the oddities; empty when all is well.
    var remarks: String {
        ((failure.map { ["FAILED: \($0)"] } ?? []) + notes).joined(separator: "; ")
    }
}
