extension FirmwareReply {
    /// Classifies one line (without its newline). Never fails: unknown text is `.other`.
    public init(parsing rawLine: Substring) {
        let line = rawLine.trimmingBlanks()
        if line.hasPrefix("ok") {
            let rest = line.dropFirst(2)
            if rest.isEmpty || rest.first == " " || rest.first == "\t" {
                self = .ok(Self.parseOk(rest))
                return
            }
        }
        if let resend = Self.parseResend(line) {
            self = resend
            return
        }
        if line.hasPrefix("Error:") || line.hasPrefix("error:") || line.hasPrefix("!!") {
            let message = line.hasPrefix("!!") ? line.dropFirst(2) : line.dropFirst(6)
            self = .error(Self.classifyError(message.trimmingBlanks()))
            return
        }
        if line.hasPrefix("//action:") {
            self = .action(Self.parseAction(line.dropFirst(9)))
            return
        }
        var body = line
        if body.hasPrefix("echo:") { body = body.dropFirst(5).trimmingBlanks() }
        if body.hasPrefix("busy:") {
            let reason = body.dropFirst(5).trimmingBlanks()
            switch reason {
            case "processing": self = .busy(.processing)
            case "paused for user": self = .busy(.pausedForUser)
            case "paused for input": self = .busy(.pausedForInput)
            default: self = .busy(.other(String(reason)))
            }
            return
        }
        if body.hasPrefix("Unknown command:") {
            var command = body.dropFirst(16).trimmingBlanks()
            if command.first == "\"" { command = command.dropFirst() }
            if command.last == "\"" { command = command.dropLast() }
            self = .unknownCommand(String(command))
            return
        }
        if line == "start" {
            self = .start
            return
        }
        if line == "wait" {
            self = .wait
            return
        }
        if line.hasPrefix("Cap:") {
            let parts = line.dropFirst(4).split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty {
                self = .capability(name: String(parts[0]), enabled: parts[1] == "1")
                return
            }
        }
        if line.hasPrefix("FIRMWARE_NAME:") {
            self = .firmwareInfo(FirmwareInfo(fields: Self.parseInfoFields(line)))
            return
        }
        if Self.looksLikeTemperatureReport(line), let report = TemperatureReport.parse(line) {
            self = .temperature(report)
            return
        }
        if line.hasPrefix("echo:") {
            self = .echo(String(body))
            return
        }
        self = .other(String(line))
    }

    public init(parsing line: String) {
        self.init(parsing: line[...])
    }

    private static func parseOk(_ rest: Substring) -> OkReply {
        var reply = OkReply()
        let text = rest.trimmingBlanks()
        if text.isEmpty { return reply }
        if text.contains("T:") || text.hasPrefix("B:") {
            reply.temperatures = TemperatureReport.parse(text)
            return reply
        }
        for token in text.split(separator: " ") {
            guard let letter = token.first else { continue }
            let value = Int(token.dropFirst())
            switch letter {
            case "N": reply.lineNumber = value
            case "P": reply.plannerBlocksFree = value
            case "B": reply.commandSlotsFree = value
            default: continue
            }
        }
        return reply
    }

    /// `Resend: 12`, `Resend:12`, `Resend:N:12`, `Resend: N12`, `rs 12`, `rs N12 Expected checksum 67`.
    private static func parseResend(_ line: Substring) -> FirmwareReply? {
        let lower = line.prefix(7).lowercased()
        let rest: Substring
        if lower.hasPrefix("resend") {
            rest = line.dropFirst(6)
        } else if lower.hasPrefix("rs ") || lower == "rs" {
            rest = line.dropFirst(2)
        } else {
            return nil
        }
        var digits = rest.drop { $0 == ":" || $0 == " " || $0 == "N" || $0 == "\t" }
        digits = digits.prefix { $0.isASCII && $0.isNumber }
        guard let number = Int(digits) else { return nil }
        return .resend(line: number)
    }

    private static func classifyError(_ message: Substring) -> FirmwareError {
        let lower = message.lowercased()
        let lastLine = lastLineNumber(in: message)
        if lower.contains("line number is not last line number") || lower.contains("expected line") {
            return .lineNumber(lastLine: lastLine)
        }
        if lower.contains("checksum mismatch") {
            return .checksumMismatch(lastLine: lastLine)
        }
        if lower.contains("no checksum with line number") || lower.contains("no line number with checksum")
            || lower.contains("missing checksum") || lower.contains("missing linenumber") {
            return .missingChecksum(lastLine: lastLine)
        }
        if lower.contains("kill() called") || lower.contains("printer halted") {
            return .halted(String(message))
        }
        if lower.contains("printer stopped due to errors") {
            return .stopped(String(message))
        }
        if lower.contains("thermal runaway") || lower.contains("mintemp") || lower.contains("maxtemp")
            || lower.contains("heating failed") || lower.contains("thermal malfunction") {
            return .thermal(String(message))
        }
        return .other(String(message))
    }

    private static func lastLineNumber(in message: Substring) -> Int? {
        guard let range = message.firstRange(of: "Last Line:") else { return nil }
        let digits = message[range.upperBound...].trimmingBlanks().prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }

    private static func parseAction(_ text: Substring) -> HostAction {
        let word = text.trimmingBlanks().prefix { $0 != " " }
        switch word {
        case "pause": return .pause
        case "paused": return .paused
        case "resume": return .resume
        case "resumed": return .resumed
        case "cancel": return .cancel
        case "disconnect": return .disconnect
        default: return .other(String(text.trimmingBlanks()))
        }
    }

    /// Splits `KEY:value with blanks KEY2:value` on the upper-case keys Marlin prints.
    private static func parseInfoFields(_ line: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        var currentKey: Substring?
        var valueStart = line.startIndex
        var index = line.startIndex
        func close(at end: Substring.Index) {
            if let key = currentKey {
                fields[String(key)] = String(line[valueStart..<end].trimmingBlanks())
            }
        }
        while index < line.endIndex {
            let atWordStart = index == line.startIndex || line[line.index(before: index)] == " "
            if atWordStart, let colon = line[index...].firstIndex(of: ":"),
               !line[index..<colon].isEmpty,
               line[index..<colon].allSatisfy({ ($0.isUppercase && $0.isLetter) || $0 == "_" }) {
                close(at: index)
                currentKey = line[index..<colon]
                valueStart = line.index(after: colon)
                index = valueStart
                continue
            }
            index = line.index(after: index)
        }
        close(at: line.endIndex)
        return fields
    }

    private static func looksLikeTemperatureReport(_ line: Substring) -> Bool {
        line.hasPrefix("T:") || line.hasPrefix("T0:") || line.hasPrefix("B:") || line.hasPrefix("C:")
    }
}

extension Substring {
    func trimmingBlanks() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        var result = self
        while let first = result.first, isBlank(first) { result = result.dropFirst() }
        while let last = result.last, isBlank(last) { result = result.dropLast() }
        return result
    }
}
