import PrintEdgeCore

/// Seeded fleet command payloads for the fuzz tests, the daemon's parser's and the end-to-end
/// one through a broker: valid commands mutated in their structure (a member dropped, given a
/// value of another type, added under a known or an unknown name, repeated; the command
/// renamed) and in their bytes (truncated, a bit flipped, a byte inserted), now and then one
/// over the size limit, and noise. The same seed gives the same payloads on every machine.
public struct FleetCommandFuzzer: Sendable {
    /// What payloads are made of. Each test chooses it for what it may send: one that drives
    /// a real printer keeps to commands that leave it alone.
    public struct Vocabulary: Sendable {
        /// Commands to start from, objects; each copy gets an `id` of its own first.
        public var templates: [FuzzedJSON]
        /// Member names a mutation adds or sets: the commands' own, and unknown ones.
        public var keys: [String]
        /// What a mutation renames `command` to: commands, near misses, nothing.
        public var commandNames: [String]
        /// Strings a random value may be, besides random bytes and long runs.
        public var strings: [String]
        /// How many arrays and objects a random value nests at most.
        public var maxNesting: Int
        /// The longest payload of random bytes.
        public var noiseMaxBytes: Int
        /// The receiver's payload limit: one payload in 100 is padded to more, `nil` for none.
        public var maxPayloadBytes: Int?

        public init(templates: [FuzzedJSON], keys: [String], commandNames: [String], strings: [String],
                    maxNesting: Int, noiseMaxBytes: Int, maxPayloadBytes: Int?) {
            self.templates = templates
            self.keys = keys
            self.commandNames = commandNames
            self.strings = strings
            self.maxNesting = maxNesting
            self.noiseMaxBytes = noiseMaxBytes
            self.maxPayloadBytes = maxPayloadBytes
        }
    }

    public let vocabulary: Vocabulary
    private var random: SplitMix64

    public init(seed: UInt64, vocabulary: Vocabulary) {
        precondition(!vocabulary.templates.isEmpty && !vocabulary.keys.isEmpty, "a fuzzer needs commands to start from and member names to add")
        self.vocabulary = vocabulary
        random = SplitMix64(seed: seed)
    }

    public mutating func next() -> UInt64 { random.next() }

    /// A number in `0..<bound`.
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    public mutating func bytes(maxLength: Int) -> [UInt8] {
        (0..<below(maxLength + 1)).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// Any JSON value: a wrong type where a field wants another, a number out of any range,
    /// a string of random bytes.
    public mutating func value(depth: Int = 0) -> FuzzedJSON {
        switch below(depth >= vocabulary.maxNesting ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .number(String(Int64(bitPattern: next()) >> below(64)))
        // Any finite double, from 5e-324 to 1.8e308.
        case 3: return .number(String(Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF)))
        case 4:
            let choice = below(vocabulary.strings.count + 1)
            return .string(choice < vocabulary.strings.count ? vocabulary.strings[choice] : String(repeating: "x", count: below(300)))
        case 5: return .string(String(decoding: bytes(maxLength: 12), as: UTF8.self))
        case 6: return .array((0..<below(4)).map { _ in value(depth: depth + 1) })
        default: return .object((0..<below(4)).map { index in (key: "k\(index)", value: value(depth: depth + 1)) })
        }
    }

    /// The next payload; `serial` makes its `id` (`f<serial>`) unless a mutation changes it.
    public mutating func payload(serial: Int) -> [UInt8] {
        if below(10) == 0 { return bytes(maxLength: vocabulary.noiseMaxBytes) }
        var document = vocabulary.templates[below(vocabulary.templates.count)]
        if case .object(var members) = document {
            if let index = members.firstIndex(where: { $0.key == "id" }) {
                members[index].value = .string("f\(serial)")
            } else {
                members.insert((key: "id", value: .string("f\(serial)")), at: 0)
            }
            for _ in 0...below(3) {
                mutate(&members)
            }
            if let limit = vocabulary.maxPayloadBytes, below(100) == 0 {
                members.append((key: "padding", value: .string(String(repeating: "x", count: limit))))
            }
            document = .object(members)
        }
        var bytes = document.encoded
        switch below(4) {
        case 0 where !bytes.isEmpty: bytes.removeLast(below(bytes.count))
        case 1 where !bytes.isEmpty: bytes[below(bytes.count)] ^= UInt8(truncatingIfNeeded: next() | 1)
        case 2: bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
        default: break
        }
        return bytes
    }

    private mutating func mutate(_ members: inout [(key: String, value: FuzzedJSON)]) {
        switch below(6) {
        case 0 where !members.isEmpty:
            members.remove(at: below(members.count))
        case 1 where !members.isEmpty:
            members[below(members.count)].value = value()
        case 2:
            let key = vocabulary.keys[below(vocabulary.keys.count)]
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].value = value()
            } else {
                members.append((key: key, value: value()))
            }
        case 3:
            if let index = members.firstIndex(where: { $0.key == "command" }), !vocabulary.commandNames.isEmpty {
                members[index].value = .string(vocabulary.commandNames[below(vocabulary.commandNames.count)])
            }
        case 4 where !members.isEmpty:
            members.append(members[below(members.count)])
        default:
            break
        }
    }
}
