#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PrintEdgeCalibration
import PrintEdgeControl
import PrintEdgePOSIX

/// One calibration run through the daemon, seen from the terminal: `calibrate.start` on one
/// connection, its events shown as they come, each question asked and its answer sent back
/// (`calibrate.answer`) on the same connection, Ctrl-C turned into `calibrate.cancel` so the
/// daemon leaves the printer safe before the command exits.
///
/// Answers come from the keyboard: typed lines, or for babystepping on a terminal the arrow
/// keys (raw mode). When standard input is not a terminal, each line is one answer, so a
/// script (or a test) drives the run; the end of input before a question is answered stops
/// the run.
struct CalibrationRun {
    let control: ControlOptions
    let printer: String
    let json: Bool
    let presenter: any CalibrationPresenter

    /// How the run ended, for the exit status.
    enum Interruption {
        case none
        /// Ctrl-C (or `q` while babystepping).
        case userStop
        /// Standard input ended while a question waited.
        case noInput
    }

    /// Runs `request`; returns the `finished` event, or exits with the status its end maps to
    /// (see `CalibrationExit`).
    func run(_ request: CalibrationRequest, force: Bool = false) throws -> CalibrationEvent {
        let client = try control.connect()
        let stopSignal = try WakeupPipe()
        SignalWakeup.install([SIGINT, SIGTERM], waking: stopSignal, secondSignalKills: true)
        let startID: Int
        do {
            startID = try client.post(ControlRequest(id: 0, command: "calibrate.start", printer: printer, force: force ? true : nil, calibration: request))
        } catch {
            standardError("printedge: \(error)")
            throw ExitCode(ExitStatus.unavailable.rawValue)
        }
        var keyboard = Keyboard(rawKeys: !json && isatty(0) == 1)
        defer { keyboard.restore() }
        /// The question waiting for the keyboard, and the last one asked (an answer the daemon
        /// refuses is asked again).
        var question: OperatorQuestion?
        var lastQuestion: OperatorQuestion?
        var interruption = Interruption.none
        var babystep = BabystepKeys()
        while true {
            var fds = [pollfd(fd: client.fileDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stopSignal.fileDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: 0, events: question != nil && keyboard.isOpen ? Int16(POLLIN) : 0, revents: 0)]
            if poll(&fds, 3, client.hasBufferedReply ? 0 : -1) < 0 {
                if errno == EINTR { continue }
                throw ExitCode(ExitStatus.ioError.rawValue)
            }
            if fds[1].revents != 0 {
                stopSignal.drain()
                if interruption == .none { interruption = .userStop }
                keyboard.restore()
                presenter.note(json ? nil : "stopping: the printer is being left safe (Ctrl-C again to leave at once)")
                _ = try? client.post(ControlRequest(id: 0, command: "calibrate.cancel", printer: printer))
                question = nil
            }
            if fds[0].revents != 0 || client.hasBufferedReply {
                let reply: ControlReply
                do {
                    reply = try client.nextReply()
                } catch {
                    keyboard.restore()
                    standardError("printedge: \(error)")
                    throw ExitCode(ExitStatus.unavailable.rawValue)
                }
                if reply.id != startID {
                    // An answer the daemon refused: say why and ask again.
                    if let error = reply.error, interruption == .none, let asked = lastQuestion {
                        question = asked
                        presenter.problem(error.message)
                        keyboard.prepare(for: asked)
                        if !json { presenter.ask(asked, babystep: babystep) }
                    }
                    continue
                }
                if let event = reply.calibration, reply.isFinal == false || event.type == .failed || event.type == .finished {
                    if event.type == .question, let asked = event.question {
                        question = asked
                        lastQuestion = asked
                        babystep.adopt(asked)
                        keyboard.prepare(for: asked)
                    }
                    if event.type == .failed || event.type == .finished { keyboard.restore() }
                    show(event, babystep: babystep)
                    if event.type == .question, !keyboard.isOpen, interruption == .none {
                        // Standard input has ended: nobody can answer.
                        interruption = .noInput
                        question = nil
                        presenter.note(json ? nil : "no answer on standard input: stopping the calibration")
                        _ = try? client.post(ControlRequest(id: 0, command: "calibrate.cancel", printer: printer))
                    }
                }
                if reply.isFinal {
                    keyboard.restore()
                    return try finish(reply, interruption: interruption)
                }
            }
            if fds[2].revents != 0, let pending = question {
                switch keyboard.read(for: pending, babystep: &babystep) {
                case .nothing:
                    break
                case .redraw:
                    presenter.ask(pending, babystep: babystep)
                case .answer(let text):
                    question = nil
                    _ = try? client.post(ControlRequest(id: 0, command: "calibrate.answer", printer: printer, answer: text))
                case .stop:
                    interruption = .userStop
                    question = nil
                    _ = try? client.post(ControlRequest(id: 0, command: "calibrate.cancel", printer: printer))
                case .endOfInput:
                    interruption = .noInput
                    question = nil
                    presenter.note(json ? nil : "no answer on standard input: stopping the calibration")
                    _ = try? client.post(ControlRequest(id: 0, command: "calibrate.cancel", printer: printer))
                }
            }
        }
    }

    private func show(_ event: CalibrationEvent, babystep: BabystepKeys) {
        if json {
            try? printJSONLine(event)
            return
        }
        switch event.type {
        case .started: presenter.started(event)
        case .step: presenter.step(event.step ?? "")
        case .progress: if let progress = event.progress { presenter.progress(progress, kind: event.kind) }
        case .question: if let question = event.question { presenter.ask(question, babystep: babystep) }
        case .finished: if let result = event.result { presenter.finished(result, event: event) }
        case .failed: presenter.failed(event)
        }
    }

    private func finish(_ reply: ControlReply, interruption: Interruption) throws -> CalibrationEvent {
        if reply.ok == true, let event = reply.calibration { return event }
        if let failure = reply.calibration?.failure {
            if !json { standardError("printedge: \(failure.reason)") }
            throw ExitCode(CalibrationExit.status(for: failure, interruption: interruption).rawValue)
        }
        let error = reply.error ?? ControlError(code: .internal, message: "the daemon ended the calibration without saying why")
        if json { try? printJSONLine(ErrorJSON(error: error)) }
        standardError("printedge: \(error.message)")
        throw ExitCode(ExitStatus(error.code).rawValue)
    }

    private struct ErrorJSON: Encodable {
        var error: ControlError
    }
}

/// The step sizes offered for babystepping, and the one chosen with ← →.
struct BabystepKeys {
    var steps: [Double] = [0.01, 0.05, 0.1, 1]
    var index = 1

    var step: Double { steps[min(index, steps.count - 1)] }

    mutating func adopt(_ question: OperatorQuestion) {
        guard let offered = question.stepsMM, !offered.isEmpty, offered != steps else { return }
        let current = step
        steps = offered
        index = steps.firstIndex(of: current) ?? min(1, steps.count - 1)
    }
}

/// Standard input for answers: whole lines, or on a terminal while babystepping, raw keys
/// (↑ ↓ move by the step, ← → change it, Enter accepts, q or Ctrl-C stops).
struct Keyboard {
    enum Input {
        case nothing
        case redraw
        case answer(String)
        case stop
        case endOfInput
    }

    private let rawKeys: Bool
    private var mode: TerminalMode?
    private var line: [UInt8] = []
    private var escape: [UInt8] = []
    private(set) var isOpen = true

    init(rawKeys: Bool) {
        self.rawKeys = rawKeys
    }

    /// Raw mode for a babystep question on a terminal, lines otherwise.
    mutating func prepare(for question: OperatorQuestion) {
        let wantsRaw = rawKeys && question.kind == .babystep
        if wantsRaw, mode == nil { mode = TerminalMode(interactive: true) }
        if !wantsRaw { restore() }
    }

    mutating func restore() {
        mode?.restore()
        mode = nil
    }

    mutating func read(for question: OperatorQuestion, babystep: inout BabystepKeys) -> Input {
        var byte: UInt8 = 0
        let count = Glibc.read(0, &byte, 1)
        if count < 0 && errno == EINTR { return .nothing }
        guard count == 1 else {
            isOpen = false
            if !line.isEmpty {
                defer { line.removeAll() }
                return .answer(String(decoding: line, as: UTF8.self))
            }
            return .endOfInput
        }
        if mode != nil { return key(byte, babystep: &babystep) }
        if byte == UInt8(ascii: "\n") {
            defer { line.removeAll() }
            let text = String(decoding: line, as: UTF8.self).trimmingSpaces
            return text.isEmpty ? .redraw : .answer(text)
        }
        if byte != UInt8(ascii: "\r") { line.append(byte) }
        return .nothing
    }

    private mutating func key(_ byte: UInt8, babystep: inout BabystepKeys) -> Input {
        if !escape.isEmpty || byte == 0x1B {
            escape.append(byte)
            guard escape.count == 3 else { return escape.count > 3 ? resetEscape() : .nothing }
            defer { escape.removeAll() }
            switch escape[2] {
            case UInt8(ascii: "A"): return .answer(AnswerText.signed(babystep.step))
            case UInt8(ascii: "B"): return .answer(AnswerText.signed(-babystep.step))
            case UInt8(ascii: "C"):
                babystep.index = min(babystep.index + 1, babystep.steps.count - 1)
                return .redraw
            case UInt8(ascii: "D"):
                babystep.index = max(babystep.index - 1, 0)
                return .redraw
            default: return .nothing
            }
        }
        switch byte {
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"): return .answer("accept")
        case 0x03, 0x04, UInt8(ascii: "q"): return .stop
        case UInt8(ascii: "+"): return .answer(AnswerText.signed(babystep.step))
        case UInt8(ascii: "-"): return .answer(AnswerText.signed(-babystep.step))
        default: return .nothing
        }
    }

    private mutating func resetEscape() -> Input {
        escape.removeAll()
        return .nothing
    }
}

/// Numbers as the daemon reads answers: plain decimals with a sign.
enum AnswerText {
    static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "-") + String(format: "%.3f", abs(value))
    }
}
