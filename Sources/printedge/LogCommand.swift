import ArgumentParser
import Glibc
import PrintEdgeControl

/// `printedge log serial`: a printer's serial traffic, from its `serial_log` file or live.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "What passed between the daemon and a printer.", subcommands: [Serial.self])

    struct Serial: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every line sent to a printer and every line it answered, timestamped, with the file's own text beside each line sent.",
            discussion: """
                Without --follow: the last lines of the printer's serial log (its `serial_log` in \
                printedge.toml; nothing is kept without one). With --follow: those, then the traffic \
                as it happens, until Ctrl-C; this works whether or not a file is kept.
                Lines: `<seconds> > N57 G1 X10 Y20*57   ; 55: G1 X10 Y20 ; outer perimeter` (sent, \
                with the file's line 55), `<seconds> < ok` (received), `# opening /dev/ttyACM0` (the \
                link's own notes).
                Examples:
                  printedge log serial --printer mk3s-1 --lines 500
                  printedge log serial --follow | grep Resend
                """)

        @OptionGroup var control: ControlOptions
        @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
        var printer: String?
        @Flag(help: "Keep showing the traffic as it happens (Ctrl-C ends).") var follow = false
        @Option(help: "How many of the last lines to show first.") var lines: Int?

        func validate() throws {
            if let lines, lines < 0 { throw ValidationError("--lines must be 0 or more") }
        }

        func run() throws {
            let target = try control.printer(printer)
            // Ctrl-C ends a follow at once; a parent may have left the signals blocked.
            var stops = sigset_t()
            sigemptyset(&stops)
            sigaddset(&stops, SIGINT)
            sigaddset(&stops, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &stops, nil)
            try control.call(ControlRequest(id: 0, command: "log.serial", printer: target, limit: lines, follow: follow)) { reply in
                guard let event = reply.event, event.kind == "wire" else { return }
                say(event.text)
            }
        }
    }
}
