import PrintEdgeControl

/// `start_job`: a queued job started at once, or a file delivered first — in chunks or by
/// URL — then verified, queued through the same `JobIntake` as `printedge jobs submit`, and
/// started when asked.
extension FleetCommands {
    func startJob(_ command: FleetCommand, source: FleetCommand.JobSource, options: FleetCommand.JobOptions,
                  on target: any FleetCommandTarget) async throws(FleetCommandError) -> FleetCommandReply? {
        let printerID = target.setup.id
        let record: FileTransferRecord
        switch source {
        case .queuedJob(let job):
            let started = try await control { () throws(ControlError) in try await target.startJob(id: job) }
            return .accepted(command, printerID: printerID, [("job", Self.json(started))])
        case .chunks(let announcement):
            let key = DeliveryKey(printerID: printerID, key: "t-\(announcement.transfer)")
            if let existing = deliveries[key] {
                // The announcement again, as sent (a redelivery after a restart of the daemon): its
                // reply comes when the file is complete.
                if existing.record.commandID == command.id, existing.record.chunks == announcement { return nil }
                throw FleetCommandError(.busy, "transfer `\(announcement.transfer)` is under way for command \(existing.record.commandID) (\(existing.transfer?.receivedCount ?? 0) of \(announcement.chunkCount) chunks in); send its missing chunks (`transfer_status` lists them) or use another transfer id", field: "transfer")
            }
            record = FileTransferRecord(printerID: printerID, commandID: command.id, options: options, chunks: announcement, url: nil,
                                        sha256: announcement.sha256, sizeBytes: announcement.sizeBytes, createdAtMS: now())
        case .download(let url, let sha256, let size):
            let key = DeliveryKey(printerID: printerID, key: "u-\(sha256)")
            if let existing = deliveries[key] {
                if existing.record.commandID == command.id, existing.record.url == url { return nil }
                throw FleetCommandError(.busy, "the file with SHA-256 \(sha256) is being downloaded already, for command \(existing.record.commandID); its reply says when it is queued", field: "sha256")
            }
            record = FileTransferRecord(printerID: printerID, commandID: command.id, options: options, chunks: nil, url: url,
                                        sha256: sha256, sizeBytes: size, createdAtMS: now())
        }
        if options.start {
            let status = await target.status()
            if status.job != nil || ["printing", "paused", "finishing"].contains(status.state) {
                throw FleetCommandError(.busy, "printer \(printerID) is \(status.state)\(status.job.map { " job \($0.id)" } ?? ""); a job starts on an idle printer (send `\"start\": false` to deliver and queue it now)")
            }
        }
        guard deliveries.count < settings.maxTransfers else {
            throw FleetCommandError(.tooManyTransfers, "\(deliveries.count) deliveries are under way, the most `max_transfers` of [mqtt.commands] allows; retry when one has ended")
        }
        try spool.create(record)
        let key = DeliveryKey(printerID: printerID, key: record.key)
        deliveries[key] = Delivery(record: record, transfer: record.chunks.map(FileTransfer.init))
        if record.url != nil { work.yield(key) }
        return nil
    }

    /// A chunk on `files/<transfer>/<index>`: written and listed, or refused with a reply that
    /// names the transfer and the index (a chunk has no command id).
    func chunk(printerID: String, subtopic: String, payload: [UInt8]) async -> FleetCommandReply? {
        let levels = subtopic.split(separator: "/", omittingEmptySubsequences: false)
        var details: [(key: String, value: JSONValue)] = []
        do throws(FleetCommandError) {
            guard levels.count == 3, !levels[1].isEmpty, levels[1].utf8.count <= FileTransferAnnouncement.maxIDCharacters,
                  levels[1].utf8.allSatisfy(FileTransferAnnouncement.isIDByte)
            else {
                throw FleetCommandError(.badChunk, "a chunk's topic is <printer>/files/<transfer>/<index> with a transfer id of letters, digits, `-` and `_`; found <printer>/\(subtopic)")
            }
            let transfer = String(levels[1])
            details.append(("transfer", .string(transfer)))
            guard levels[2].utf8.count <= 9, levels[2].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let index = Int(levels[2]) else {
                throw FleetCommandError(.badChunk, "the chunk index in <printer>/\(subtopic) must be a decimal number from 0")
            }
            details.append(("index", .integer(index)))
            guard targets[printerID] != nil else {
                throw FleetCommandError(.unknownPrinter, "this daemon has no printer `\(printerID)`; its printers are \(targets.keys.sorted().joined(separator: ", "))")
            }
            let key = DeliveryKey(printerID: printerID, key: "t-\(transfer)")
            guard var delivery = deliveries[key], let state = delivery.transfer else {
                throw FleetCommandError(.unknownTransfer, "printer \(printerID) holds no transfer `\(transfer)`: announce it with `start_job` first, or it has ended (its start_job got the reply)")
            }
            guard !delivery.busy, case .write(let offset) = try state.arrived(index: index, length: payload.count) else {
                count(printerID) { $0.duplicates += 1 }
                return nil
            }
            let spool = self.spool
            let written = await DedicatedThread.run { () -> FleetCommandError? in
                do throws(FleetCommandError) {
                    try spool.writeChunk(payload, index: index, byteOffset: offset, printerID: printerID, key: key.key)
                    return nil
                } catch {
                    return error
                }
            }
            if let written { throw written }
            // Another call may have changed the delivery while the chunk was written.
            guard let current = deliveries[key], current.record == delivery.record, var transfer = current.transfer else { return nil }
            transfer.recorded(index: index)
            delivery = current
            delivery.transfer = transfer
            count(printerID) { $0.chunksReceived += 1 }
            if transfer.isComplete, !delivery.busy {
                delivery.busy = true
                work.yield(key)
            }
            deliveries[key] = delivery
            return nil
        } catch {
            count(printerID) { $0.chunksRefused += 1 }
            return .refused(id: nil, command: nil, printerID: printerID, error, details)
        }
    }

    /// Ends deliveries older than `transfer_expiry_s` that are still waiting for chunks; the
    /// replies to their `start_job`s.
    func expireAbandoned() -> [FleetReply] {
        let limitMS = Int64(settings.transferExpiry / .milliseconds(1))
        let atMS = now()
        var replies: [FleetReply] = []
        for (key, delivery) in deliveries where !delivery.busy && delivery.record.url == nil && atMS - delivery.record.createdAtMS > limitMS {
            let received = delivery.transfer.map { "\($0.receivedCount) of \($0.announcement.chunkCount) chunks had arrived" } ?? ""
            replies.append(finish(key, FleetCommandError(.transferExpired, "transfer `\(delivery.record.chunks?.transfer ?? key.key)` was not completed within `transfer_expiry_s` (\(limitMS / 1000) s) of [mqtt.commands]; \(received); nothing was queued")))
        }
        return replies
    }

    /// Verifies, downloads first when it is a download, and queues a delivery; sends its reply.
    func carryOut(_ key: DeliveryKey) async {
        guard let delivery = deliveries[key] else { return }
        guard let target = targets[key.printerID] else {
            // Left by an earlier run for a printer no longer configured: nothing can print it.
            logger.warning("fleet delivery \(key.key) of printer \(key.printerID) is dropped: this daemon no longer has that printer")
            await laterReplies([finish(key, FleetCommandError(.unknownPrinter, "this daemon no longer has printer `\(key.printerID)`"))])
            return
        }
        deliveries[key]?.busy = true
        let reply: FleetReply
        do throws(FleetCommandError) {
            if let url = delivery.record.url { try await download(url, delivery.record, key: key) }
            guard !Task.isCancelled else { return }
            reply = try await queue(delivery.record, key: key, on: target)
        } catch {
            reply = finish(key, error)
        }
        await laterReplies([reply])
    }

    /// Removes the delivery and its files; the error reply to its `start_job`.
    private func finish(_ key: DeliveryKey, _ error: FleetCommandError) -> FleetReply {
        let record = deliveries.removeValue(forKey: key)?.record
        spool.remove(printerID: key.printerID, key: key.key)
        count(key.printerID) { $0.transfersFailed += 1 }
        countRefusal(key.printerID, error.code)
        return FleetCommandReply.refused(id: record?.commandID, command: "start_job", printerID: key.printerID, error,
                                         [(key: "sha256", value: .string(record?.sha256 ?? ""))]).fleetReply
    }

    /// The file's SHA-256 checked, then `JobIntake` (copy into the spool, analysis, limits),
    /// then the start when asked. A printer that became busy meanwhile leaves the job queued,
    /// and the reply says so.
    private func queue(_ record: FileTransferRecord, key: DeliveryKey, on target: any FleetCommandTarget) async throws(FleetCommandError) -> FleetReply {
        let spool = self.spool
        let digest = await DedicatedThread.run { () -> Result<(sha256: String, sizeBytes: Int64), FleetCommandError> in
            do throws(FleetCommandError) {
                return .success(try spool.digest(printerID: key.printerID, key: key.key))
            } catch {
                return .failure(error)
            }
        }
        let file = try digest.get()
        guard file.sha256 == record.sha256 else {
            throw FleetCommandError(.sha256Mismatch, "the file received (\(file.sizeBytes) bytes) has SHA-256 \(file.sha256), not the \(record.sha256) announced: a chunk or the download was corrupted; nothing was queued, send the file again", field: "sha256")
        }
        let setup = target.setup
        let name = record.name ?? record.chunks.map { "\($0.transfer).gcode" } ?? Self.lastPathSegment(of: record.url ?? "") ?? "download.gcode"
        let queued = try await control { () throws(ControlError) in
            try await intake.submit(.init(path: spool.path(printerID: key.printerID, key: key.key, "part"), file: nil,
                                          printerID: setup.id, name: name, force: record.force, limits: setup.limits,
                                          maxFramedBytes: setup.maxFramedBytes))
        }
        deliveries[key] = nil
        spool.remove(printerID: key.printerID, key: key.key)
        count(key.printerID) {
            $0.transfersCompleted += 1
            $0.accepted += 1
        }
        var details: [(key: String, value: JSONValue)] = [("job", Self.json(queued))]
        if record.start, let id = queued.id {
            do throws(ControlError) {
                details = [("job", Self.json(try await target.startJob(id: id)))]
            } catch {
                details.append(("start_error", .object([("code", .string(FleetCommandError(error).code.rawValue)), ("message", .string("\(error.message); the job stays queued: start it with start_job {\"job\": \(id)}"))])))
            }
        }
        return FleetCommandReply(id: record.commandID, command: "start_job", printerID: key.printerID, outcome: .accepted, details: details)
            .fleetReply
    }

    /// Fetches the URL into the part file: each attempt resumes where the file ends; waits
    /// 1, 2, 4… (at most 30) seconds between attempts.
    private func download(_ url: String, _ record: FileTransferRecord, key: DeliveryKey) async throws(FleetCommandError) {
        let part = spool.path(printerID: key.printerID, key: key.key, "part")
        let maxBytes = record.sizeBytes ?? Int64(settings.maxFileBytes)
        var lastError: HTTPDownloadError?
        for attempt in 1...settings.downloadAttempts {
            let have = spool.partSize(printerID: key.printerID, key: key.key)
            if let size = record.sizeBytes, have == size { return }
            if attempt > 1 {
                guard (try? await Task.sleep(for: .seconds(min(30, 1 << (attempt - 2))))) != nil else { return }
            }
            let request = HTTPDownloadRequest(url: url, partPath: part, resumeFromBytes: have, maxBytes: maxBytes,
                                              connectTimeout: settings.downloadConnectTimeout,
                                              stallTimeout: settings.downloadStallTimeout, caFile: settings.downloadCAFile)
            do throws(HTTPDownloadError) {
                _ = try await downloader.download(request)
                return
            } catch {
                guard !Task.isCancelled else { return }
                lastError = error
                logger.notice("printer \(key.printerID): \(error) (attempt \(attempt) of \(settings.downloadAttempts))")
                // 416: the part file already holds the whole body (or more): let the SHA-256 decide.
                if error.httpStatus == 416 { return }
                guard error.isRetryable else { break }
            }
        }
        throw FleetCommandError(.downloadFailed, "\(lastError?.description ?? "downloading \(url) failed") after \(settings.downloadAttempts) attempt(s); nothing was queued", field: "url")
    }

    static func lastPathSegment(of url: String) -> String? {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let last = path.split(separator: "/").last, !path.hasSuffix("/"), !last.contains(":") else { return nil }
        return String(last)
    }
}
