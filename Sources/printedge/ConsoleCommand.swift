#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "An interactive terminal to a printer: type G-code, see every reply live.",
        discussion: "Ctrl-X sends the emergency stop (M112) at once, ahead of everything queued. Ctrl-D or Ctrl-C leaves. Without a terminal, each input line is sent and the console ends at the end of input.")

    @OptionGroup var control: ControlOptions
    @Option(help: "The printer (default: the daemon's only printer).") var printer: String?

    static let emergencyKey: UInt8 = 0x18

    func run() throws {
        try reportingDaemonErrors {
            let target = try printer ?? onlyPrinter(control)
            let client = try control.connect()
            let interactive = isatty(0) == 1
            do {
                try client.post(ControlRequest(id: 0, command: "console", printer: target))
            } catch {
                throw DaemonUnavailable(message: "\(error)")
            }
            var terminal = TerminalMode(interactive: interactive)
            defer { terminal.restore() }
            if interactive { writeOut("console on \(target): Ctrl-X EMERGENCY STOP, Ctrl-D quit\r\n") }
            var line: [UInt8] = []
            var inputOpen = true
            var pendingSends = 0
            while inputOpen || pendingSends > 0 {
                var fds = [pollfd(fd: client.fileDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: 0, events: inputOpen ? Int16(POLLIN) : 0, revents: 0)]
                if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue } else { break } }
                if fds[0].revents != 0 {
                    let reply: ControlReply
                    do {
                        reply = try client.nextReply()
                    } catch {
                        throw DaemonUnavailable(message: "\(error)")
                    }
                    if let event = reply.event { writeOut((event.kind == "reply" ? "" : "[\(event.kind)] ") + event.text + "\r\n") }
                    if let error = reply.error { writeOut("error: \(error.message)\r\n") }
                    if reply.isFinal && reply.event == nil && reply.samples == nil && pendingSends > 0 { pendingSends -= 1 }
                }
                guard inputOpen, fds[1].revents != 0 else { continue }
                var byte: UInt8 = 0
                guard read(0, &byte, 1) == 1 else { inputOpen = false; continue }
                switch byte {
                case Self.emergencyKey where interactive:
                    _ = try? client.post(ControlRequest(id: 0, command: "estop", printer: target))
                    writeOut("\r\nEMERGENCY STOP sent\r\n")
                case 0x03 where interactive, 0x04 where interactive:
                    inputOpen = false
                    pendingSends = 0
                case 0x7F where interactive, 0x08 where interactive:
                    if !line.isEmpty { line.removeLast(); writeOut("\u{8} \u{8}") }
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    if interactive { writeOut("\r\n") }
                    let text = String(decoding: line, as: UTF8.self).trimmingSpaces
                    line.removeAll()
                    if !text.isEmpty {
                        _ = try? client.post(ControlRequest(id: 0, command: "send", printer: target, lines: [text]))
                        pendingSends += 1
                    }
                default:
                    line.append(byte)
                    if interactive { writeOut(String(decoding: [byte], as: UTF8.self)) }
                }
            }
        }
    }
}

/// Raw keys without echo by the kernel (the console echoes itself), restored on exit.
struct TerminalMode {
    private var saved: termios?

    init(interactive: Bool) {
        guard interactive else { return }
        var mode = termios()
        guard tcgetattr(0, &mode) == 0 else { return }
        saved = mode
        mode.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        tcsetattr(0, TCSANOW, &mode)
    }

    mutating func restore() {
        if var mode = saved { tcsetattr(0, TCSANOW, &mode) }
        saved = nil
    }
}

func writeOut(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
