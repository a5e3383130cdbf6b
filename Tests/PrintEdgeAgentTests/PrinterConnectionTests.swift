import PrintEdgeAgent
import PrintEdgeCore
import PrintEdgeFixtures
import PrintEdgeSimulator
import Testing

/// `PrinterConnection`'s one loop — the daemon's and `printedge stream`'s — against the
/// virtual Marlin on a virtual clock: whole jobs, faults and stops in milliseconds, with no
/// tty, no sleep and no timing threshold. Each run is the same every time.
@Suite struct PrinterConnectionTests {
    /// A slicer-like file: comments, blank lines, moves; every command distinct.
    static let job = SampleGCode.distinctMoves(count: 600)
    static let commands = normalised(job)

    static func normalised(_ lines: [String]) -> [String] {
        lines.compactMap { GCodeNormalizer.normalize(Array($0.utf8)).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// What the firmware executed of the print: without the host's own hello, identification
    /// and syncs, and the daemon's `M155` that asks for temperature reports.
    static func printed(_ executed: [String]) -> [String] {
        executed.filter { !ExecutionComparison.housekeeping.contains($0) && !$0.hasPrefix("M155 ") }
    }

    @Test func aJobStreamsToItsEndWithEveryLineExecutedOnceInOrder() throws {
        let run = try VirtualLinkRun(job: Self.job, firmware: VirtualLinkRun.firmware())
        #expect(run.run() == .closed)
        let ready = run.events.contains { event in
            if case .ready(_, _, _, let rebooted) = event { return !rebooted }
            return false
        }
        #expect(ready)
        #expect(Self.printed(run.executed) == Self.commands)
        let end = try #require(run.jobEnd)
        #expect(end.end == .completed)
        #expect(end.progress.acknowledgedSourceLine == Self.job.count)
        #expect(end.progress.acknowledgedByteOffset == Self.job.joined(separator: "\n").utf8.count + 1)
        #expect(end.progress.linesSent == Self.commands.count)
        #expect(run.linkProgress?.retransmittedLines == 0)
        #expect(run.transport.printer.statistics.overrunBytes == 0)
    }

    @Test func noiseOnTheWireIsRecoveredByResendsExactly() throws {
        let run = try VirtualLinkRun(job: Self.job, firmware: Self.noisyFirmware)
        #expect(run.run() == .closed)
        #expect(run.jobEnd?.end == .completed)
        let comparison = ExecutionComparison(executed: run.executed, expected: Self.commands)
        #expect(comparison.isExact, "\(comparison.firstMismatch ?? "")")
        #expect(comparison.silentlyDamaged == 0)
        let statistics = run.transport.printer.statistics
        #expect(statistics.checksumErrors + statistics.lineNumberErrors > 0, "the noise damaged no line")
        #expect((run.jobEnd?.progress.resendRequests ?? 0) > 0)
    }

    @Test func theSameSeedGivesTheSameRunByteForByte() throws {
        let first = try VirtualLinkRun(job: Self.job, firmware: Self.noisyFirmware)
        let second = try VirtualLinkRun(job: Self.job, firmware: Self.noisyFirmware)
        #expect(first.run() == second.run())
        #expect(first.transport.written == second.transport.written)
        #expect(first.executed == second.executed)
        #expect(first.transport.now() == second.transport.now())
    }

    /// Both directions flip a bit in one byte of a thousand, seeded.
    static let noisyFirmware = VirtualLinkRun.firmware(seed: 7) {
        $0.receiveNoiseProbability = 1e-3
        $0.transmitNoiseProbability = 1e-3
    }

    @Test func aFirmwareResetMidJobEndsTheLinkAsAReset() throws {
        let run = try VirtualLinkRun(job: Self.job, firmware: VirtualLinkRun.firmware { $0.resetAfterLines = 200 })
        let transport = run.transport
        var writtenWhenStartArrived: Int?
        run.connection.setConsoleListening(true)
        let ending = run.run { event in
            if case .reply("start") = event { writtenWhenStartArrived = transport.written.count }
        }
        #expect(writtenWhenStartArrived == transport.written.count, "the host wrote after the firmware's `start`")
        let acknowledged = try #require(run.linkProgress).linesAcknowledged
        let reset = HostProtocolError.firmwareReset(lastAcknowledgedLine: acknowledged)
        #expect(ending == .failed(.protocolFailure(reset)))
        #expect(run.jobEnd?.end == .failed(reason: reset.description))
        // The firmware reset after its 200th numbered command (a few of them the host's own),
        // and no line after it ran: the host wrote nothing more the new firmware would take.
        #expect(run.executed.count == 200)
        let printed = Self.printed(run.executed)
        #expect(printed.count > 190)
        #expect(printed == Array(Self.commands.prefix(printed.count)))
    }

    @Test func aPrinterThatFallsSilentTimesOutThenFailsAsNotResponding() throws {
        let run = try VirtualLinkRun(job: Self.job, firmware: VirtualLinkRun.firmware())
        let transport = run.transport
        var silentFrom: MonotonicInstant?
        var timedOutAt: [MonotonicInstant] = []
        let ending = run.run { event in
            switch event {
            case .jobProgress where silentFrom == nil:
                silentFrom = transport.now()
                transport.powerOff()
            case .timeout:
                timedOutAt.append(transport.now())
            default:
                break
            }
        }
        let timeouts = HostProtocol.Configuration().maxConsecutiveTimeouts
        let acknowledged = try #require(run.linkProgress).linesAcknowledged
        let silence = HostProtocolError.notResponding(timeouts: timeouts, lastAcknowledgedLine: acknowledged)
        #expect(ending == .failed(.protocolFailure(silence)))
        #expect(run.jobEnd?.end == .failed(reason: silence.description))
        #expect(run.timeouts == Array(1...timeouts))
        // Each timeout resends and waits longer than the last (docs/protocol.md, Timeouts):
        // 2, 3, 4... times the communication timeout, on the virtual clock.
        let ends = timedOutAt + [transport.now()]
        let waits = zip(ends, ends.dropFirst()).map { $1 - $0 }
        let timeout = HostProtocol.Configuration().communicationTimeout
        #expect(waits == (2...timeouts + 1).map { timeout * $0 })
        let firstTimeout = try #require(timedOutAt.first)
        #expect(firstTimeout > (try #require(silentFrom)))
        // Lines the firmware ran may lack their `ok`: it was on the wire when the power went.
        let printed = Self.printed(run.executed)
        #expect(printed.count >= acknowledged)
        #expect(printed == Array(Self.commands.prefix(printed.count)))
    }

    /// The daemon's connection: `//action:pause` from the printer's screen is reported, and the
    /// owner carries it out through `JobSession` as the `Printer` actor does — park, then resume
    /// from the exact next line when the screen says so.
    @Test func aPauseFromThePrintersScreenParksAndResumesFromTheExactNextLine() throws {
        let commands = Array(Self.commands.prefix(400))
        let run = try VirtualLinkRun(job: commands, firmware: VirtualLinkRun.firmware(), options: PrinterConnection.Options.init(port:))
        let transport = run.transport
        let connection = run.connection
        let park = ["G91", "G1 Z5 F600", "G90", "G1 X0 Y200 F6000"]
        var session = JobSession(jobID: 1, printerID: "virtual")
        var steps: [JobSession.Step] = []
        var parkedAt: JobPosition?
        var restore: [String] = []
        var pauseAnnounced = false
        let ending = run.run { event in
            switch event {
            case .jobProgress(let progress) where !pauseAnnounced && progress.acknowledgedSourceLine > 0:
                pauseAnnounced = transport.printer.announceHostAction("pause")
            case .hostAction(let action):
                switch session.hostAction(action) {
                case .pause(.pause(let step, _)):
                    steps.append(step)
                    connection.submit(.pause(park: park))
                case .resume(.resume(let step, let position)):
                    steps.append(step)
                    _ = session.resumeRecorded()
                    restore = (try? ResumePrologue.lines(toResume: position.machineState, options: .init(situation: .afterPause))) ?? []
                    connection.submit(.resume(restore: restore))
                case let other:
                    Issue.record("the session answered //action:\(action) with \(other)")
                }
            case .jobPaused(let position, _):
                #expect(session.parked(at: position) == .show(.paused))
                parkedAt = position
                _ = transport.printer.announceHostAction("resume")
            case .jobCompleted:
                steps += session.streamEnded(.completed, daemonStopping: false)
                connection.submit(.close)
            default:
                break
            }
        }
        #expect(ending == .closed)
        #expect(steps == [
            JobSession.Step(.paused, .paused, "paused from the printer's screen"),
            JobSession.Step(.printing, .resumed, "resumed from the printer's screen"),
            JobSession.Step(.completed, nil, nil),
        ])
        let position = try #require(parkedAt)
        #expect(position.parkedZMM != nil)
        #expect(!restore.isEmpty)
        // One command a line: the lines before the resume point are the ones that ran first.
        let before = position.linesBefore
        #expect(before > 0 && before < commands.count)
        let expected = Array(commands[..<before]) + park + ["M400"] + restore + Array(commands[before...])
        #expect(Self.printed(run.executed) == expected)
    }

    /// `M112` goes out ahead of every line not yet written, and Marlin's emergency parser acts
    /// on it as it arrives: the lines already in the firmware's RX ring and command queue,
    /// behind a planner busy with real-time moves, never run.
    @Test func anEmergencyStopOvertakesTheLinesAlreadyQueued() throws {
        let run = try VirtualLinkRun(job: Self.job, firmware: VirtualLinkRun.firmware(baudRate: 115_200, speedup: 1))
        let transport = run.transport
        let connection = run.connection
        var waitingAtStop: Int?
        let ending = run.run { event in
            if case .jobProgress(let progress) = event, waitingAtStop == nil, progress.acknowledgedSourceLine >= 40 {
                waitingAtStop = transport.printer.queuedCommandCount
                connection.submit(.emergencyStop)
            }
        }
        #expect(ending == .failed(.emergencyStopped))
        #expect(run.jobEnd?.end == .failed(reason: PrinterConnection.LinkFailure.emergencyStopped.description))
        // The link ends once M112 is written; the firmware gets it a few byte times later.
        transport.runPrinter(for: .seconds(1))
        #expect(transport.printer.halted)
        #expect(transport.printer.plannedMoveCount == 0, "the steppers stop with the planner's moves")
        let waiting = try #require(waitingAtStop)
        #expect(waiting > 0, "the firmware's queue held lines when the stop was asked for")
        #expect(run.writtenText.hasSuffix("\nM112\n"), "nothing is written after M112")
        let printed = Self.printed(run.executed)
        #expect(printed == Array(Self.commands.prefix(printed.count)))
        let written = try #require(run.jobEnd).progress.linesSent
        #expect(printed.count < written, "lines written before M112 ran after it")
    }
}
