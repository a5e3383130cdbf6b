/// What a `start_job` that delivers a file asked for, kept beside the part file so that its
/// reply can still be sent, and its job queued, after a restart.
struct FileTransferRecord: Sendable, Equatable, Codable {
    var printerID: String
    /// The command's id: exactly one of the two.
    var commandIDString: String?
    var commandIDInteger: Int64?
    var name: String?
    var start: Bool
    var force: Bool
    /// Set for a chunked transfer.
    var chunks: FileTransferAnnouncement?
    /// Set for a download.
    var url: String?
    var sha256: String
    var sizeBytes: Int64?
    var createdAtMS: Int64

    init(printerID: String, commandID: FleetCommandID, options: FleetCommand.JobOptions, chunks: FileTransferAnnouncement?,
         url: String?, sha256: String, sizeBytes: Int64?, createdAtMS: Int64) {
        self.printerID = printerID
        switch commandID {
        case .string(let text): commandIDString = text
        case .integer(let value): commandIDInteger = value
        }
        name = options.name
        start = options.start
        force = options.force
        self.chunks = chunks
        self.url = url
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.createdAtMS = createdAtMS
    }

    var key: String { chunks.map { "t-\($0.transfer)" } ?? "u-\(sha256)" }

    var commandID: FleetCommandID {
        commandIDString.map(FleetCommandID.string) ?? .integer(commandIDInteger ?? 0)
    }

    var options: FleetCommand.JobOptions { FleetCommand.JobOptions(name: name, start: start, force: force) }
}
