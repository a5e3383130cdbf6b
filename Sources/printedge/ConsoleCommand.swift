#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "An interactive terminal to a printer: type G-code, see its replies under it.",
        discussion: """
            Each command typed is shown with the printer's replies under it, once; `ok`s, \
            temperature reports and busy keepalives are hidden (Ctrl-T shows them). Commands \
            typed while one runs wait their turn. Keys: Up and Down (or Ctrl-P, Ctrl-N) walk \
            the history; Left, Right, Home, End, Ctrl-A, Ctrl-E, Backspace, Delete, Ctrl-K, \
            Ctrl-U and Ctrl-W edit; Ctrl-X sends the emergency stop (M112) at once, ahead of \
            everything queued; Ctrl-D on an empty line or Ctrl-C leaves. No escape sequence \
            ever reaches the printer. Without a terminal each input line is sent in turn and \
            the console ends after the last one's replies (exit status 65 if the printer \
            refused one).
            """)

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "Send lines that are not allowed under a running job anyway (at the print's risk), as `send --force`.") var force = false

    static let prompt = "> "

    func run() throws {
        let target = try control.printer(printer)
        let client = try control.connect()
        let interactive = TerminalStyle.isTerminal(STDIN_FILENO) && TerminalStyle.isTerminal(STDOUT_FILENO)
        let consoleID: Int
        do {
            consoleID = try client.post(ControlRequest(id: 0, command: "console", printer: target))
        } catch {
            throw CLIFailure(error)
        }
        var session = ConsoleSession(client: client, printer: target, interactive: interactive, force: force)
        var terminal = TerminalMode(interactive: interactive)
        defer { terminal.restore() }
        if interactive {
            session.print(["console on \(target): Ctrl-X EMERGENCY STOP, Ctrl-T show ok/temperatures, Ctrl-D quit"])
        }
        var input = InputLines()
        var inputOpen = true
        while inputOpen || session.isBusy {
            var fds = [pollfd(fd: client.fileDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: STDIN_FILENO, events: inputOpen ? Int16(POLLIN) : 0, revents: 0)]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[0].revents != 0 {
                let reply: ControlReply
                do {
                    reply = try client.nextReply()
                } catch {
                    throw CLIFailure(error)
                }
                if reply.id == consoleID, reply.isFinal, let error = reply.error { throw CLIFailure(error) }
                session.received(reply, consoleID: consoleID)
            }
            guard inputOpen, fds[1].revents != 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                inputOpen = false
                if !interactive, let last = input.rest() { session.type(last) }
                continue
            }
            if interactive {
                for byte in buffer[..<count] {
                    guard session.key(byte) else {
                        inputOpen = false
                        session.abandon()
                        break
                    }
                }
            } else {
                for line in input.take(buffer[..<count]) { session.type(line) }
            }
        }
        if interactive { writeStandardOutput("\r\u{1B}[K") }
        if !interactive, let first = session.transcript.refusals.first {
            throw CLIFailure(.dataError, "the printer refused \(session.transcript.refusals.count == 1 ? "a line" : "\(session.transcript.refusals.count) lines"): \(first)")
        }
    }
}

/// The console's moving parts: the line editor, the transcript, the commands waiting to be
/// sent, and the terminal's prompt line.
struct ConsoleSession {
    let client: ControlClient
    let printer: String
    let interactive: Bool
    let force: Bool
    var editor = LineEditor()
    var transcript = ConsoleTranscript()
    /// Commands typed while another one runs, in order.
    private var waiting: [String] = []
    private var sendID: Int?

    init(client: ControlClient, printer: String, interactive: Bool, force: Bool) {
        self.client = client
        self.printer = printer
        self.interactive = interactive
        self.force = force
    }

    var isBusy: Bool { sendID != nil || !waiting.isEmpty }

    /// A key pressed; false when the console is to end.
    mutating func key(_ byte: UInt8) -> Bool {
        switch editor.key(byte) {
        case .none: break
        case .redraw: writeStandardOutput(editor.rendered(prompt: ConsoleCommand.prompt))
        case .submit(let line):
            writeStandardOutput(editor.rendered(prompt: ConsoleCommand.prompt))
            if !line.isEmpty { type(line) }
        case .emergencyStop:
            _ = try? client.post(ControlRequest(id: 0, command: "estop", printer: printer))
            waiting.removeAll()
            print(["EMERGENCY STOP sent (M112); commands waiting were dropped"])
        case .quit: return false
        case .toggleNoise:
            transcript.showNoise.toggle()
            print([transcript.showNoise ? "(showing ok, temperature reports and busy lines; Ctrl-T hides them)" : "(hiding ok, temperature reports and busy lines; Ctrl-T shows them)"])
        }
        return true
    }

    /// A command to send: now, or after the one running.
    mutating func type(_ line: String) {
        let command = line.trimmingSpaces
        guard !command.isEmpty else { return }
        waiting.append(command)
        sendNext()
    }

    /// Leaving: what waits is not sent.
    mutating func abandon() {
        waiting.removeAll()
        sendID = nil
    }

    mutating func received(_ reply: ControlReply, consoleID: Int) {
        if reply.id == consoleID {
            if let event = reply.event { print(transcript.consoleEvent(event)) }
        } else if reply.id == sendID {
            if let event = reply.event { print(transcript.sendEvent(event)) }
            if reply.isFinal {
                sendID = nil
                print(transcript.sendFinished(error: reply.error))
                sendNext()
            }
        }
    }

    private mutating func sendNext() {
        guard sendID == nil, !waiting.isEmpty else { return }
        let command = waiting.removeFirst()
        print(transcript.sent(command))
        do {
            sendID = try client.post(ControlRequest(id: 0, command: "send", printer: printer, lines: [command], force: force))
        } catch {
            print(transcript.sendFinished(error: ControlError(code: .internal, message: error.description)))
        }
    }

    /// Lines above the prompt: the prompt line is cleared, the lines written, the prompt
    /// drawn again with what is being typed.
    func print(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        guard interactive else {
            for line in lines { say(line) }
            return
        }
        writeStandardOutput("\r\u{1B}[K" + lines.map { $0 + "\n" }.joined() + editor.rendered(prompt: ConsoleCommand.prompt))
    }
}

/// Lines of a console's standard input when it is not a terminal.
struct InputLines {
    private var partial: [UInt8] = []

    mutating func take(_ bytes: ArraySlice<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll()
            } else if byte != UInt8(ascii: "\r") {
                partial.append(byte)
            }
        }
        return lines
    }

    /// The last line, when the input did not end with a newline.
    mutating func rest() -> String? {
        defer { partial.removeAll() }
        return partial.isEmpty ? nil : String(decoding: partial, as: UTF8.self)
    }
}

/// Raw keys without echo by the kernel (the console draws its own line), restored on exit.
/// Output processing stays on, so `\n` still starts a new line.
struct TerminalMode {
    private var saved: termios?

    init(interactive: Bool) {
        guard interactive else { return }
        var mode = termios()
        guard tcgetattr(STDIN_FILENO, &mode) == 0 else { return }
        saved = mode
        mode.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        mode.c_iflag &= ~tcflag_t(IXON)
        tcsetattr(STDIN_FILENO, TCSANOW, &mode)
    }

    mutating func restore() {
        if var mode = saved { tcsetattr(STDIN_FILENO, TCSANOW, &mode) }
        saved = nil
    }
}
