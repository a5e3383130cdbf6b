/// Fetches a URL into a part file, resuming where the file ends. A protocol so the fleet
/// commands can be tested with a scripted fetcher, and the transport (libcurl today) stays
/// in one adapter, `HTTPDownloadCurl`.
protocol HTTPDownloading: Sendable {
    /// One attempt: appends the body from byte `request.resumeFromBytes` (an HTTP `Range`);
    /// a server that ignores the range and sends the whole file again makes the part file
    /// start over. Returns the part file's length at the end. Cancelling the task cuts the
    /// attempt; the part file keeps what arrived.
    func download(_ request: HTTPDownloadRequest) async throws(HTTPDownloadError) -> Int64
}

struct HTTPDownloadRequest: Sendable, Equatable {
    var url: String
    /// The part file, created by the caller; written from `resumeFromBytes` on.
    var partPath: String
    var resumeFromBytes: Int64
    /// More than this in the part file cuts the attempt (a server sending something else).
    var maxBytes: Int64
    var connectTimeout: Duration
    /// No byte for this long cuts the attempt.
    var stallTimeout: Duration
    /// CA certificates for https; `nil`: the system's.
    var caFile: String?
}

/// Why an attempt ended without the whole body; `isRetryable` says whether another attempt
/// (resuming) may do better.
struct HTTPDownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    var url: String
    var message: String
    var isRetryable: Bool
    /// The HTTP status, when the server answered with one.
    var httpStatus: Int?

    var description: String { "downloading \(url) failed: \(message)" }
}
