@testable import PrintEdgeCore

/// Drives a `HostProtocol` by hand: replies are typed in as Marlin would print them and the
/// clock moves only when told to.
struct ProtocolHarness {
    var host: HostProtocol
    var now = MonotonicInstant.zero
    private(set) var written: [HostProtocol.Transmission] = []
    private(set) var events: [HostProtocol.Event] = []

    init(_ configure: (inout HostProtocol.Configuration) -> Void = { _ in }) {
        var configuration = HostProtocol.Configuration()
        configure(&configuration)
        host = HostProtocol(configuration: configuration)
    }

    /// Everything the host may write right now, as text.
    @discardableResult
    mutating func flush() -> [String] {
        var texts: [String] = []
        while let transmission = host.nextTransmission(at: now) {
            written.append(transmission)
            texts.append(String(decoding: transmission.bytes, as: UTF8.self))
        }
        return texts
    }

    @discardableResult
    mutating func reply(_ lines: String...) -> [HostProtocol.Event] {
        var produced: [HostProtocol.Event] = []
        for line in lines {
            if let event = host.replyReceived(line[...], at: now) { produced.append(event) }
        }
        events += produced
        return produced
    }

    @discardableResult
    mutating func advance(by duration: Duration) -> [HostProtocol.Event] {
        now = now + duration
        let produced = host.clockAdvanced(to: now).map { [$0] } ?? []
        events += produced
        return produced
    }

    mutating func enqueue(_ commands: [String], finish: Bool = true) {
        for (index, command) in commands.enumerated() {
            host.enqueue(GCodeLine(sourceLine: index + 1, command))
        }
        if finish { host.finishInput() }
    }

    /// Runs the M110/M115 handshake against a Marlin that reports `capabilities`.
    mutating func handshake(capabilities: [String] = [], helloOk: String = "ok") {
        host.start(at: now)
        let handshake = flush()
        precondition(handshake == Self.handshakeLines, "unexpected handshake \(handshake)")
        reply(helloOk)
        reply("FIRMWARE_NAME:Marlin 2.1.2.5 (printedge test) PROTOCOL_VERSION:1.0 MACHINE_TYPE:test EXTRUDER_COUNT:1")
        for capability in capabilities { reply("Cap:\(capability)") }
        reply("ok")
        let (confirmation, renumber) = answerConfirmationAndRenumber()
        precondition(confirmation == Self.confirmLines, "unexpected confirmation \(confirmation)")
        precondition(renumber == Self.renumberLines, "unexpected renumber \(renumber)")
    }

    /// After the identification's `ok`: answers the confirmation and then the renumber as a
    /// healthy Marlin would, and returns what the host wrote for each.
    @discardableResult
    mutating func answerConfirmationAndRenumber() -> (confirmation: [String], renumber: [String]) {
        let confirmation = flush()
        reply("ok", Self.temperatureOk)
        let renumber = flush()
        reply("ok")
        return (confirmation, renumber)
    }

    /// The hello (after a newline that ends any half line left in the firmware's buffer) and
    /// the identification, written together.
    static let handshakeLines = ["\nN0 M110 N0*125\n", "N1 M115*39\n"]

    /// The renumber and numbered M105 that prove the replies to everything earlier are over.
    static let confirmLines = ["N0 M110 N0*125\nN1 M105*38\n"]

    /// The renumber that ends the handshake, written alone.
    static let renumberLines = ["N1 M110 N1*\(LineFraming.checksum(Array("N1 M110 N1".utf8)))\n"]

    /// The file lines written, by source line, in order (retransmissions included).
    var sourceLinesWritten: [Int] {
        written.compactMap { transmission in
            if case .line(_, let sourceLine, _) = transmission.kind, sourceLine > 0 { return sourceLine }
            return nil
        }
    }

    /// How many of the host's sync `M105`s were written.
    var syncsWritten: Int {
        written.filter { transmission in
            if case .line(_, 0, _) = transmission.kind { return true }
            return false
        }.count
    }
}

/// Line `index` of `moves(_:)` as framed on the wire: lines 0 and 1 are the handshake's,
/// so file line k travels as number k + 1 (when no sync came before it).
func framedMove(_ index: Int) -> String {
    String(decoding: LineFraming.framed(number: index + 1, command: Array("G1 X\(index) Y\(index % 7)".utf8)), as: UTF8.self)
}

/// The host's numbered sync `M105` as framed on the wire.
func framedSync(_ number: Int) -> String {
    String(decoding: LineFraming.framed(number: number, command: Array("M105".utf8)), as: UTF8.self)
}

/// Commands of `count` distinct short moves.
func moves(_ count: Int) -> [String] {
    (1...count).map { "G1 X\($0) Y\($0 % 7)" }
}

extension ProtocolHarness {
    static let temperatureOk = "ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0"

    /// Answers, in order, every transmission from `written[from...]` as a healthy Marlin would,
    /// flushing after each reply, until the host has nothing more in flight or stops.
    /// Returns the index after the last transmission answered.
    @discardableResult
    mutating func answerInOrder(from start: Int, advancedOK: Bool = false, slotsFree: Int = 3,
                                dropOkForLines: Set<Int> = [], maxReplies: Int = 100_000) -> Int {
        var next = start
        var replies = 0
        flush()
        while next < written.count, replies < maxReplies, !host.isTerminal {
            let transmission = written[next]
            next += 1
            replies += 1
            switch transmission.kind {
            case .line(let number, let sourceLine, _):
                if dropOkForLines.contains(number) { break }
                if sourceLine == 0 {
                    reply(Self.temperatureOk)  // the host's numbered M105 sync
                } else {
                    reply(advancedOK ? "ok N\(number) P15 B\(slotsFree)" : "ok")
                }
            case .hello, .identify, .renumber, .emergency:
                reply("ok")
            case .confirm:
                reply("ok", Self.temperatureOk)
            }
            flush()
        }
        return next
    }
}
