#if canImport(Glibc)
import Glibc
#endif
import CCurl
import Synchronization

/// `HTTPDownloading` over libcurl's easy interface, one blocking `curl_easy_perform` per
/// attempt on a thread of its own (`DedicatedThread`): a download never holds a thread of
/// the cooperative pool.
///
/// What libcurl is asked for, and why: http and https only, also across redirects (at most
/// 5), so a URL from the fleet cannot read `file://` or reach other protocols; certificate
/// and host name verification as libcurl's defaults have them (there is no option to turn
/// them off); `FAILONERROR`, so an error page is never written as G-code; a low-speed limit
/// of 1 byte/s over the stall timeout rather than a total timeout, because a 200 MB file on
/// a slow link may rightly take an hour; `NOSIGNAL`, which libcurl requires in a
/// multi-threaded program.
struct HTTPDownloadCurl: HTTPDownloading {
    /// `curl_global_init` is not thread-safe: once per process, before any handle.
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    func download(_ request: HTTPDownloadRequest) async throws(HTTPDownloadError) -> Int64 {
        guard Self.initialised else {
            throw HTTPDownloadError(url: request.url, message: "libcurl could not be initialised (curl_global_init)", isRetryable: false)
        }
        let transfer = CurlTransfer(request: request)
        let outcome = await withTaskCancellationHandler {
            await DedicatedThread.run { transfer.perform() }
        } onCancel: {
            transfer.cancelled.store(true, ordering: .relaxed)
        }
        return try outcome.get()
    }
}

/// One attempt: the part file, and what the callbacks learn, reached from libcurl's C
/// callbacks through the user-data pointer. Used by one thread at a time (the attempt's);
/// only `cancelled` is touched from elsewhere.
private final class CurlTransfer: @unchecked Sendable {
    let request: HTTPDownloadRequest
    let cancelled = Atomic<Bool>(false)
    var handle: UnsafeMutableRawPointer?
    var descriptor: Int32 = -1
    /// Where the next body byte goes.
    var offset: Int64 = 0
    var checkedStatus = false
    /// Why a callback stopped the transfer.
    var failure: HTTPDownloadError?

    init(request: HTTPDownloadRequest) {
        self.request = request
    }

    func perform() -> Result<Int64, HTTPDownloadError> {
        descriptor = open(request.partPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            return .failure(error("cannot open the part file \(request.partPath): \(String(cString: strerror(errno)))", retry: false))
        }
        defer { close(descriptor) }
        guard let curl = curl_easy_init() else { return .failure(error("libcurl could not create a handle", retry: true)) }
        defer { curl_easy_cleanup(curl) }
        handle = curl
        offset = request.resumeFromBytes
        var message = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let user = Unmanaged.passUnretained(self).toOpaque()
        let code: CURLcode = message.withUnsafeMutableBufferPointer { buffer in
            var set = [
                printedge_curl_setopt_string(curl, CURLOPT_URL, request.url),
                printedge_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"),
                printedge_curl_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
                printedge_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1),
                printedge_curl_setopt_long(curl, CURLOPT_MAXREDIRS, 5),
                printedge_curl_setopt_long(curl, CURLOPT_FAILONERROR, 1),
                printedge_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1),
                printedge_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout / .milliseconds(1))),
                printedge_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1),
                printedge_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, max(1, Int(request.stallTimeout / .seconds(1)))),
                printedge_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress)),
                printedge_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, user),
                printedge_curl_setopt_write_function(curl, curlWrite),
                printedge_curl_setopt_pointer(curl, CURLOPT_XFERINFODATA, user),
                printedge_curl_setopt_xferinfo_function(curl, curlProgress),
                printedge_curl_setopt_long(curl, CURLOPT_NOPROGRESS, 0),
                printedge_curl_setopt_string(curl, CURLOPT_USERAGENT, "printedged"),
            ]
            // CURLOPT_RANGE rather than RESUME_FROM: the latter fails outright (CURLE_RANGE_ERROR)
            // when a server answers 200, where starting the part file over is the useful answer.
            if request.resumeFromBytes > 0 { set.append(printedge_curl_setopt_string(curl, CURLOPT_RANGE, "\(request.resumeFromBytes)-")) }
            if let caFile = request.caFile { set.append(printedge_curl_setopt_string(curl, CURLOPT_CAINFO, caFile)) }
            if let refused = set.first(where: { $0 != CURLE_OK }) { return refused }
            return curl_easy_perform(curl)
        }
        if let failure { return .failure(failure) }
        guard code == CURLE_OK else {
            let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            var status = 0
            _ = printedge_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
            // 4xx but 408 and 429: the URL is wrong or forbidden, another attempt will not help.
            let permanent = (400..<500).contains(status) && status != 408 && status != 429 && status != 416
            let certificate = [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM].contains(code)
            let retry = code != CURLE_UNSUPPORTED_PROTOCOL && code != CURLE_URL_MALFORMAT && !certificate && !permanent
            let hint = certificate ? "; check that `download_ca_file` of [mqtt.commands] (\(request.caFile ?? "unset: the system's CAs")) holds the CA that signed the server's certificate, and that the certificate names the URL's host" : ""
            return .failure(HTTPDownloadError(url: request.url, message: "\(text) (libcurl \(code.rawValue)\(status > 0 ? ", HTTP \(status)" : ""))\(hint)",
                                              isRetryable: retry, httpStatus: status > 0 ? status : nil))
        }
        guard fsync(descriptor) == 0 else {
            return .failure(error("cannot flush \(request.partPath) to disk: \(String(cString: strerror(errno)))", retry: false))
        }
        return .success(offset)
    }

    /// Body bytes: on the first call, a server that ignored the range (200 for a request that
    /// had one) restarts the part file from 0.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !checkedStatus {
            checkedStatus = true
            var status = 0
            if let handle { _ = printedge_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
            if request.resumeFromBytes > 0 && status == 200 {
                guard ftruncate(descriptor, 0) == 0 else {
                    failure = error("cannot truncate \(request.partPath): \(String(cString: strerror(errno)))", retry: false)
                    return false
                }
                offset = 0
            }
        }
        guard offset + Int64(bytes.count) <= request.maxBytes else {
            failure = error("the body is longer than \(request.maxBytes) bytes (the announced size or max_file_mb)", retry: false)
            return false
        }
        var written = 0
        while written < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress.map { $0 + written }, bytes.count - written, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = errno == ENOSPC ? "the disk is full" : String(cString: strerror(errno))
                failure = error("cannot write \(request.partPath): \(reason)", retry: false)
                return false
            }
            written += count
            offset += Int64(count)
        }
        return true
    }

    private func error(_ message: String, retry: Bool) -> HTTPDownloadError {
        HTTPDownloadError(url: request.url, message: message, isRetryable: retry)
    }
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    // Returning fewer bytes than given makes libcurl stop with CURLE_WRITE_ERROR.
    return transfer.write(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private func curlProgress(_ user: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    guard transfer.cancelled.load(ordering: .relaxed) else { return 0 }
    transfer.failure = HTTPDownloadError(url: transfer.request.url, message: "cancelled (the daemon is stopping); the next start resumes it",
                                         isRetryable: true)
    return 1
}
