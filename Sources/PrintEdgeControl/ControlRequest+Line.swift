/// Why a line on the control socket is not a request, and the `id` its refusal carries: the
/// request's own whenever it can be read (an integer, written once), else 0.
public struct ControlRequestRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var id: Int
    public var message: String

    public init(id: Int, message: String) {
        self.id = id
        self.message = message
    }

    public var description: String { message }

    /// The final reply: `bad_request`, the message naming the field.
    public var reply: ControlReply { .failure(id, .badRequest, message) }
}

extension ControlRequest {
    /// Every field a request may carry, in docs/control.md's order.
    public static let fieldNames = ["schema", "id", "command", "printer", "job", "path", "name", "lines", "force", "states", "limit", "file_attached", "follow",
                                    "calibration", "answer", "kinds", "record"]

    /// Reads one request line (without its `\n`) with `JSONValue`, the parser the fleet's
    /// commands go through: the `id` is read first, so every later refusal carries it; a
    /// field of the wrong type is named with the type it needs; a key written twice is
    /// refused (which of two `command`s would run?), as is a field no command reads (a typo
    /// such as `prnter` must not turn `power.off` of one printer into every relay's).
    /// `null` is taken as an absent optional field. `schema` may be left out; given, it must
    /// be the one this daemon speaks.
    public init(line: some Collection<UInt8>) throws(ControlRequestRefusal) {
        let example = #"a request is one JSON object per line, such as {"id": 1, "command": "status"} (docs/control.md)"#
        let scanned: (value: JSONValue, firstDuplicateKey: JSONValue.SyntaxError?)
        do {
            scanned = try JSONValue.scan(Array(line))
        } catch {
            throw ControlRequestRefusal(id: 0, message: "\(error); \(example)")
        }
        guard case .object(let members) = scanned.value else {
            throw ControlRequestRefusal(id: 0, message: "the line is \(scanned.value.typeName); \(example)")
        }
        let ids = members.filter { $0.key == "id" }.map(\.value)
        let id = ids.count == 1 ? ids[0].integer.flatMap { Int(exactly: $0) } : nil
        var fields = Fields(members: members, id: id ?? 0)
        if let duplicate = scanned.firstDuplicateKey {
            let key = duplicate.duplicateKey ?? "?"
            throw fields.refusal("the field `\(key)` appears twice (at byte \(duplicate.byteOffset)); a request gives each field once")
        }
        guard let idValue = ids.first else {
            throw fields.refusal("the request has no `id`: an integer the reply carries back; \(example)")
        }
        guard let id else {
            throw fields.refusal("`id` must be an integer (the reply carries it back), found \(idValue.typeName)")
        }
        fields.read.insert("id")
        if let schema = try fields.integer("schema", "the JSON dialect's version"), schema != Int64(ControlCoding.schema) {
            throw fields.refusal("this daemon speaks schema \(ControlCoding.schema), not \(schema) (docs/control.md); are the client and printedged the same release?")
        }
        self.init(
            id: id,
            command: try fields.requiredString("command", "a command such as \"status\""),
            printer: try fields.string("printer", "a printer id"),
            job: try fields.integer("job", "a job id"),
            path: try fields.string("path", "an absolute file path"),
            name: try fields.string("name", "a job name"),
            lines: try fields.strings("lines", "G-code lines"),
            force: try fields.bool("force"),
            states: try fields.strings("states", "job states"),
            limit: try fields.integer("limit", "a number of jobs or lines").map { Int(clamping: $0) },
            fileAttached: try fields.bool("file_attached"),
            follow: try fields.bool("follow"),
            calibration: try fields.calibration(),
            answer: try fields.string("answer", "the answer to a calibration's question"),
            kinds: try fields.strings("kinds", "calibration kinds"),
            record: try fields.integer("record", "a calibration record id"))
        try fields.rejectUnknown()
    }

    /// The members of one request, read into typed values; remembers which were read.
    private struct Fields {
        let members: [(key: String, value: JSONValue)]
        let id: Int
        var read: Set<String> = []

        init(members: [(key: String, value: JSONValue)], id: Int) {
            self.members = members
            self.id = id
        }

        func refusal(_ message: String) -> ControlRequestRefusal {
            ControlRequestRefusal(id: id, message: message)
        }

        /// The member's value; `nil` when absent or `null`.
        mutating func value(_ key: String) -> JSONValue? {
            read.insert(key)
            guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
            return value
        }

        func wrongType(_ key: String, _ expected: String, _ meaning: String, found: JSONValue) -> ControlRequestRefusal {
            refusal("`\(key)` must be \(expected) (\(meaning)), found \(found.typeName)")
        }

        mutating func string(_ key: String, _ meaning: String) throws(ControlRequestRefusal) -> String? {
            guard let value = value(key) else { return nil }
            guard case .string(let text) = value else { throw wrongType(key, "a string", meaning, found: value) }
            return text
        }

        mutating func requiredString(_ key: String, _ meaning: String) throws(ControlRequestRefusal) -> String {
            guard let text = try string(key, meaning) else { throw refusal("the request has no `\(key)`: \(meaning)") }
            return text
        }

        mutating func integer(_ key: String, _ meaning: String) throws(ControlRequestRefusal) -> Int64? {
            guard let value = value(key) else { return nil }
            guard let number = value.integer else { throw wrongType(key, "an integer", meaning, found: value) }
            return number
        }

        mutating func bool(_ key: String) throws(ControlRequestRefusal) -> Bool? {
            guard let value = value(key) else { return nil }
            guard case .bool(let flag) = value else { throw refusal("`\(key)` must be true or false, found \(value.typeName)") }
            return flag
        }

        mutating func strings(_ key: String, _ meaning: String) throws(ControlRequestRefusal) -> [String]? {
            guard let value = value(key) else { return nil }
            guard case .array(let elements) = value else { throw wrongType(key, "an array of strings", meaning, found: value) }
            var texts: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    throw refusal("`\(key)` must be an array of strings (\(meaning)), found an array holding \(element.typeName)")
                }
                texts.append(text)
            }
            return texts
        }

        mutating func calibration() throws(ControlRequestRefusal) -> CalibrationRequest? {
            guard let value = value("calibration") else { return nil }
            do {
                return try CalibrationRequest(json: value)
            } catch {
                throw refusal(error.description)
            }
        }

        func rejectUnknown() throws(ControlRequestRefusal) {
            guard let unknown = members.first(where: { !read.contains($0.key) }) else { return }
            throw refusal("unknown field `\(unknown.key)`; a request's fields are \(ControlRequest.fieldNames.map { "`\($0)`" }.joined(separator: ", "))")
        }
    }
}
