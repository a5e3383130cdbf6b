#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Dispatch
import Foundation
import PrintEdgeDoctor
import Synchronization

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this host for what breaks printer installs; each finding comes with the command that fixes it.",
        discussion: """
            Who printedged runs as, and whether it can open each printer's port and the GPIO \
            chip; boards bound by a name two of them share, or by a kernel name; other programs \
            holding a port; USB autosuspend; brltty and ModemManager taking boards; the udev \
            rules; a Raspberry Pi's under-voltage and throttling flags (read, never reset); the \
            clock's synchronisation; free space, read-only remounts, ext4 errors and ownership \
            where the database lives; the [mqtt] broker reached and the credentials accepted. \
            What does not apply to this host says why. It changes nothing; run it with sudo to \
            see every process and file. Exit status as `health`'s: 0 nothing wrong, 1 warnings, \
            2 problems; 64 usage; 78 the configuration does not load.
            """)

    @OptionGroup var configuration: ConfigurationOptions
    @Flag(help: "One JSON document: {schema, level (the worst), findings: [{check, subject, level (ok, warning, problem, not_applicable), message, fix}]}.")
    var json = false

    func run() throws {
        let (configuration, name) = try configuration.load()
        let doctor = Doctor(configuration: configuration)
        let outcome = Mutex<[DoctorFinding]>([])
        let done = DispatchSemaphore(value: 0)
        Task {
            let findings = await doctor.findings()
            outcome.withLock { $0 = findings }
            done.signal()
        }
        done.wait()
        let findings = outcome.withLock { $0 }
        let worst = findings.map(\.level).max() ?? .ok
        if json {
            try SnakeCaseJSON.print(Report(level: worst.rawValue, findings: findings))
        } else {
            let colour = isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == nil
            print("printedge doctor: \(name), state in \(configuration.stateDirectory)")
            let width = findings.map(\.check.count).max() ?? 0
            for finding in findings {
                let level = Self.label(finding.level)
                let shown = colour ? Self.coloured(level, finding.level) : level
                let subject = finding.subject.map { "\($0): " } ?? ""
                print("\(shown)\(String(repeating: " ", count: 8 - level.count)) \(finding.check.padding(toLength: width, withPad: " ", startingAt: 0))  \(subject)\(finding.message)")
                if let fix = finding.fix { print(String(repeating: " ", count: width + 11) + "fix: \(fix)") }
            }
            let problems = findings.filter { $0.level == .problem }.count
            let warnings = findings.filter { $0.level == .warning }.count
            print(problems + warnings == 0 ? "nothing wrong found" : "\(problems) problem(s), \(warnings) warning(s)")
        }
        if worst.exitStatus != 0 { throw ExitCode(worst.exitStatus) }
    }

    private struct Report: Encodable {
        var level: String
        var findings: [DoctorFinding]
    }

    private static func label(_ level: DoctorFinding.Level) -> String {
        level == .notApplicable ? "n/a" : level.rawValue
    }

    private static func coloured(_ text: String, _ level: DoctorFinding.Level) -> String {
        switch level {
        case .problem: "\u{1B}[31m\(text)\u{1B}[0m"
        case .warning: "\u{1B}[33m\(text)\u{1B}[0m"
        case .ok: "\u{1B}[32m\(text)\u{1B}[0m"
        case .notApplicable: text
        }
    }
}
