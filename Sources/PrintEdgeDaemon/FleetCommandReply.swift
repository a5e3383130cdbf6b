import PrintEdgeControl

/// The one reply a command gets on `<printer>/cmd/reply` (docs/mqtt-commands.md, "Replies"):
/// `accepted` (the printer took the action; what follows shows in job events and status),
/// `done` (the reply is the answer: `status_request`, `transfer_status`) or `error`.
///
/// The fleet link publishes it as the `data` of its envelope, which carries the printer, the
/// schema version, the sequence number and the time: the reply repeats none of them.
struct FleetCommandReply: Sendable {
    enum Outcome: String, Sendable {
        case accepted
        case done
        case error
    }

    /// `nil`: the payload's id could not be read, and the reply says `"id": null`.
    var id: FleetCommandID?
    /// The command's name when it could be read.
    var command: String?
    var printerID: String
    var outcome: Outcome
    var error: FleetCommandError?
    /// What the outcome carries (`job`, `status`, `missing`…), after the common members.
    var details: [(key: String, value: JSONValue)] = []

    static func accepted(_ command: FleetCommand, printerID: String, _ details: [(key: String, value: JSONValue)] = []) -> FleetCommandReply {
        FleetCommandReply(id: command.id, command: command.action.name, printerID: printerID, outcome: .accepted, details: details)
    }

    static func done(_ command: FleetCommand, printerID: String, _ details: [(key: String, value: JSONValue)]) -> FleetCommandReply {
        FleetCommandReply(id: command.id, command: command.action.name, printerID: printerID, outcome: .done, details: details)
    }

    static func refused(id: FleetCommandID?, command: String?, printerID: String, _ error: FleetCommandError,
                        _ details: [(key: String, value: JSONValue)] = []) -> FleetCommandReply {
        FleetCommandReply(id: id, command: command, printerID: printerID, outcome: .error, error: error, details: details)
    }

    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", id?.json ?? .null),
            ("command", command.map(JSONValue.string) ?? .null),
            ("status", .string(outcome.rawValue)),
        ]
        if let error {
            var body: [(key: String, value: JSONValue)] = [("code", .string(error.code.rawValue)), ("message", .string(error.message))]
            if let field = error.field { body.append(("field", .string(field))) }
            members.append(("error", .object(body)))
        }
        return .object(members + details)
    }

    var fleetReply: FleetReply { FleetReply(printerID: printerID, payload: json.encoded) }
}
