import PrintEdgeConfig
import PrintEdgeControl

/// Turns a `cmd` payload into a `FleetCommand`, or into the error its reply carries, with the
/// command's id whenever one could be read. Pure: no printer is looked at here, so every
/// refusal of this stage changes nothing by construction.
struct FleetCommandParser: Sendable {
    let settings: FleetCommandSettings
    let allowList: FleetCommandGCodeAllowList

    /// The commands, as documented in docs/mqtt-commands.md.
    static let commandNames = ["start_job", "pause", "resume", "cancel", "gcode", "set_temperature", "emergency_stop",
                               "status_request", "transfer_status"]
    /// Longest `id`: a UUID or a console's counter fits; a document does not.
    static let maxIDCharacters = 128
    /// Most lines one `gcode` command may carry (a short macro, not a job: jobs are files).
    static let maxGCodeLines = 64
    /// Most extruders `set_temperature` addresses (`T0`…`T7`), as Marlin's EXTRUDERS allows.
    static let hotendCount = 8
    /// Most chunks one transfer may have: bounds the memory and the log of received chunks.
    static let maxChunks: Int64 = 1 << 20

    init(settings: FleetCommandSettings) {
        self.settings = settings
        allowList = FleetCommandGCodeAllowList(settings: settings)
    }

    /// The refusal of a payload, and the id it carried when one could be read (`nil`: the
    /// reply's `id` is `null`).
    struct Refusal: Error, Sendable, Equatable {
        var id: FleetCommandID?
        /// The `command` member, when it was a string.
        var command: String?
        var error: FleetCommandError
    }

    /// `maxFramedBytes`: the printer's line limit, for `gcode` lines.
    func parse(_ payload: [UInt8], maxFramedBytes: Int) throws(Refusal) -> FleetCommand {
        guard payload.count <= settings.maxCommandBytes else {
            throw Refusal(error: FleetCommandError(.payloadTooLarge, "the payload is \(payload.count) bytes, over `max_command_bytes` (\(settings.maxCommandBytes)) of [mqtt.commands]; it was not read (files travel as chunks on files/<transfer>/<index>, not in a command)"))
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(payload)
        } catch {
            throw Refusal(error: FleetCommandError(.badJSON, "the payload is \(error.description); a command is one JSON object such as {\"id\": \"c1\", \"command\": \"pause\"}"))
        }
        guard case .object(let members) = document else {
            throw Refusal(error: FleetCommandError(.badRequest, "the payload is \(document.typeName); a command is a JSON object such as {\"id\": \"c1\", \"command\": \"pause\"}"))
        }
        let id = try readID(members)
        let name = members.first { $0.key == "command" }?.value
        guard let name else {
            throw Refusal(id: id, error: FleetCommandError(.badRequest, "the command has no `command` member; one of \(Self.commandNames.joined(separator: ", "))", field: "command"))
        }
        guard case .string(let command) = name else {
            throw Refusal(id: id, error: FleetCommandError(.badRequest, "`command` must be a string, found \(name.typeName); one of \(Self.commandNames.joined(separator: ", "))", field: "command"))
        }
        var fields = FleetCommandFields(command: command, members: members)
        fields.markEnvelope()
        do throws(FleetCommandError) {
            let action = try self.action(command, &fields, maxFramedBytes: maxFramedBytes)
            try fields.rejectUnknown()
            return FleetCommand(id: id, action: action)
        } catch {
            throw Refusal(id: id, command: command, error: error)
        }
    }

    private func readID(_ members: [(key: String, value: JSONValue)]) throws(Refusal) -> FleetCommandID {
        guard let value = members.first(where: { $0.key == "id" })?.value else {
            throw Refusal(error: FleetCommandError(.badRequest, "the command has no `id`; every command carries one (a string or an integer) for its reply to name", field: "id"))
        }
        switch value {
        case .string(let text) where !text.isEmpty && text.unicodeScalars.count <= Self.maxIDCharacters:
            return .string(text)
        case .string(let text):
            throw Refusal(error: FleetCommandError(.badRequest, "`id` must be 1 to \(Self.maxIDCharacters) characters, found \(text.unicodeScalars.count)", field: "id"))
        default:
            if let number = value.integer { return .integer(number) }
            throw Refusal(error: FleetCommandError(.badRequest, "`id` must be a string or an integer, found \(value.typeName)", field: "id"))
        }
    }

    private func action(_ command: String, _ fields: inout FleetCommandFields, maxFramedBytes: Int) throws(FleetCommandError) -> FleetCommand.Action {
        switch command {
        case "start_job":
            return try startJob(&fields)
        case "pause":
            return .pause(job: try fields.integer("job", 1...Int64.max))
        case "resume":
            return .resume(job: try fields.integer("job", 1...Int64.max))
        case "cancel":
            return .cancel(job: try fields.integer("job", 1...Int64.max))
        case "gcode":
            guard let lines = try fields.strings("lines", maxCount: Self.maxGCodeLines) else {
                throw fields.missing("lines", meaning: "an array of G-code lines, such as [\"G28\", \"M104 S200\"]")
            }
            return .gcode(try allowList.normalise(lines, maxFramedBytes: maxFramedBytes))
        case "set_temperature":
            return try setTemperature(&fields)
        case "emergency_stop":
            return .emergencyStop
        case "status_request":
            return .statusRequest
        case "transfer_status":
            guard let transfer = try fields.string("transfer", maxCharacters: FileTransferAnnouncement.maxIDCharacters) else {
                throw fields.missing("transfer", meaning: "the transfer id its start_job announced")
            }
            try FileTransferAnnouncement.checkID(transfer, fields: fields)
            return .transferStatus(transfer: transfer)
        default:
            throw FleetCommandError(.unknownCommand, "unknown command `\(command)`; the commands are \(Self.commandNames.joined(separator: ", "))", field: "command")
        }
    }

    private func setTemperature(_ fields: inout FleetCommandFields) throws(FleetCommandError) -> FleetCommand.Action {
        let heaters = (0..<Self.hotendCount).map { "T\($0)" } + ["B"]
        guard let name = try fields.string("heater") else {
            throw fields.missing("heater", meaning: "one of \(heaters.joined(separator: ", "))")
        }
        let heater: FleetCommand.Heater
        if name == "B" {
            heater = .bed
        } else if let index = heaters.firstIndex(of: name) {
            heater = .hotend(index)
        } else {
            throw fields.invalid("heater", "must be one of \(heaters.joined(separator: ", ")), found \"\(name)\"")
        }
        guard let target = try fields.double("target_celsius") else {
            throw fields.missing("target_celsius", meaning: "the temperature to set, 0 to switch the heater off")
        }
        guard target >= 0 else { throw fields.invalid("target_celsius", "must be 0 (off) or more, found \(target)") }
        return .setTemperature(heater: heater, targetCelsius: target)
    }

    private func startJob(_ fields: inout FleetCommandFields) throws(FleetCommandError) -> FleetCommand.Action {
        let job = try fields.integer("job", 1...Int64.max)
        let transfer = try fields.string("transfer", maxCharacters: FileTransferAnnouncement.maxIDCharacters)
        let url = try fields.string("url", maxCharacters: 2048)
        let sha256 = try fields.string("sha256", maxCharacters: 64)
        let size = try fields.integer("size_bytes", 1...Int64(settings.maxFileBytes))
        let chunkSize = try fields.integer("chunk_size_bytes", 1...Int64(settings.maxChunkBytes))
        var options = FleetCommand.JobOptions()
        options.name = try fields.string("name", maxCharacters: 200)
        options.start = try fields.bool("start") ?? true
        options.force = try fields.bool("force") ?? false
        switch (job, transfer, url) {
        case (let job?, nil, nil):
            for (key, present) in [("sha256", sha256 != nil), ("size_bytes", size != nil), ("chunk_size_bytes", chunkSize != nil)] where present {
                throw fields.invalid(key, "does not go with `job` (the queued job's file is known)")
            }
            guard options.start else { throw fields.invalid("start", "cannot be false with `job`: job \(job) is queued already, and starting it is all `start_job` would do") }
            return .startJob(.queuedJob(job), options: options)
        case (nil, let transfer?, nil):
            try FileTransferAnnouncement.checkID(transfer, fields: fields)
            let digest = try Self.digest(sha256, fields)
            guard let size else { throw fields.missing("size_bytes", meaning: "the file's length in bytes, 1 to \(settings.maxFileBytes)") }
            guard let chunkSize else {
                throw fields.missing("chunk_size_bytes", meaning: "the length of every chunk but the last, 1 to \(settings.maxChunkBytes)")
            }
            let chunks = (size + chunkSize - 1) / chunkSize
            guard chunks <= Self.maxChunks else {
                throw fields.invalid("chunk_size_bytes", "makes \(chunks) chunks of a \(size)-byte file; at most \(Self.maxChunks) are taken: use chunks of at least \((size + Int64(Self.maxChunks) - 1) / Int64(Self.maxChunks)) bytes")
            }
            return .startJob(.chunks(FileTransferAnnouncement(transfer: transfer, sha256: digest, sizeBytes: size, chunkSizeBytes: Int(chunkSize))),
                             options: options)
        case (nil, nil, let url?):
            let digest = try Self.digest(sha256, fields)
            if chunkSize != nil { throw fields.invalid("chunk_size_bytes", "goes with `transfer` only, not with `url`") }
            let lowered = url.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw fields.invalid("url", "must be an http:// or https:// URL without blanks or non-ASCII characters (percent-encode them), found \"\(url)\"")
            }
            return .startJob(.download(url: url, sha256: digest, sizeBytes: size), options: options)
        default:
            let sources = [job.map { _ in "job" }, transfer.map { _ in "transfer" }, url.map { _ in "url" }].compactMap { $0 }
            let problem = sources.isEmpty ? "names no file" : "names \(sources.map { "`\($0)`" }.joined(separator: " and "))"
            throw FleetCommandError(.badRequest, "`start_job` \(problem); give exactly one of `transfer` (chunks on files/<transfer>/<index>), `url` (http or https) or `job` (a job queued earlier)", field: sources.last ?? "transfer")
        }
    }

    /// `sha256` present and 64 hex digits, in lower case.
    private static func digest(_ sha256: String?, _ fields: FleetCommandFields) throws(FleetCommandError) -> String {
        guard let sha256 else { throw fields.missing("sha256", meaning: "the file's SHA-256, 64 hex digits; the file is queued only if it matches") }
        let digest = sha256.lowercased()
        guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw fields.invalid("sha256", "must be 64 hex digits, found \"\(sha256)\"")
        }
        return digest
    }
}
