import Testing
@testable import PrintEdgeCore

/// The job lifecycle bare: every state, every event, the refusals, the firmware's own pause,
/// an emergency stop in each state.
@Suite struct JobSessionTests {
    static let position = JobPosition(nextByteOffset: 4_096, linesBefore: 120, machineState: GCodeMachineState(), parkedZMM: 17.75)

    /// The states a session can be in, reached through events only.
    enum Reached: CaseIterable {
        case printing, pausing, paused, heldByFirmware, cancelling, aborting, ended
    }

    static func session(_ reached: Reached) -> JobSession {
        var session = JobSession(jobID: 7, printerID: "p1")
        switch reached {
        case .printing:
            break
        case .pausing:
            _ = session.pauseRequested(detail: "paused by the user")
        case .paused:
            _ = session.pauseRequested(detail: "paused by the user")
            _ = session.parked(at: position)
        case .heldByFirmware:
            _ = session.hostAction(.paused)
        case .cancelling:
            _ = session.cancelRequested(detail: "cancelled by the user")
        case .aborting:
            _ = session.emergencyStopped(detail: "emergency stop")
        case .ended:
            _ = session.streamEnded(.completed, daemonStopping: false)
        }
        return session
    }

    // MARK: - Pause

    @Test func aPrintingJobPausesAtOnceWithoutWaitingForTheDisk() {
        var session = Self.session(.printing)
        #expect(session.pauseRequested(detail: "paused by the user")
            == .pause(record: .init(.paused, .paused, "paused by the user"), show: .finishing))
        #expect(session.recorded == .paused)
        #expect(session.pausePosition == nil, "not parked yet")
    }

    @Test func onlyAPrintingJobPauses() {
        for reached in Reached.allCases where reached != .printing {
            var session = Self.session(reached)
            #expect(session.pauseRequested(detail: "x") == .refuse("printer p1 is not printing"), "\(reached)")
        }
    }

    @Test func aParkedJobShowsPausedAndKnowsWhereToGoOn() {
        var session = Self.session(.pausing)
        #expect(session.parked(at: Self.position) == .show(.paused))
        #expect(session.pausePosition == Self.position)
        #expect(session.parked(at: Self.position) == .ignore, "a second report changes nothing")
    }

    @Test func aParkReportOutsideAPauseIsIgnored() {
        for reached in Reached.allCases where reached != .pausing {
            var session = Self.session(reached)
            #expect(session.parked(at: Self.position) == .ignore, "\(reached)")
        }
    }

    // MARK: - Resume

    @Test func aParkedJobResumesOnceTheResumeIsWritten() {
        var session = Self.session(.paused)
        #expect(session.resumeRequested(detail: "resumed by the user") == .resume(write: .init(.printing, .resumed, "resumed by the user"), from: Self.position))
        #expect(session.recorded == .paused, "nothing changes until the resume is written")
        #expect(session.resumeRecorded() == .printing)
        #expect(session.recorded == .printing)
        #expect(session.pauseRequested(detail: "again") != .refuse("printer p1 is not printing"), "it can pause again")
    }

    @Test func aResumeTheStoreRefusedLeavesTheJobPaused() {
        var session = Self.session(.paused)
        _ = session.resumeRequested(detail: nil)  // the actor's write fails: resumeRecorded never comes
        #expect(session.pausePosition == Self.position)
        #expect(session.resumeRequested(detail: nil) == .resume(write: .init(.printing, .resumed, nil), from: Self.position))
    }

    @Test func anInterlockRefusesTheResume() {
        var session = Self.session(.paused)
        #expect(session.resumeRequested(detail: nil, interlock: "the door is open: close it, then resume")
            == .refuse("printer p1: the door is open: close it, then resume"))
    }

    @Test func aResumeWhileParkingIsRefusedToAPersonAndDeferredForThePrinter() {
        var session = Self.session(.pausing)
        #expect(session.resumeRequested(detail: nil)
            == .refuse("the job is still parking after its pause; resume it once `printedge status` shows it paused"))
        #expect(session.resumeRequested(detail: nil, fromPrinter: true) == .afterParking)
        #expect(session.parked(at: Self.position) == .showAndResume(.paused))
    }

    @Test func theFirmwaresOwnPauseIsResumedOnlyOnThePrinter() {
        var session = Self.session(.heldByFirmware)
        #expect(session.resumeRequested(detail: nil)
            == .refuse("the printer paused the job by itself (a filament change, say): resume it on the printer's screen"))
    }

    @Test func thereIsNothingToResumeOutsideAPause() {
        for reached in [Reached.printing, .cancelling, .aborting, .ended] {
            var session = Self.session(reached)
            #expect(session.resumeRequested(detail: nil) == .refuse("printer p1 has no paused job"), "\(reached)")
        }
    }

    // MARK: - Cancel and emergency stop

    @Test func aCancelStopsAJobInEveryRunningState() {
        for reached in [Reached.printing, .pausing, .paused, .heldByFirmware] {
            var session = Self.session(reached)
            #expect(session.cancelRequested(detail: "cancelled by the user")
                == .cancel(record: .init(.cancelled, .cancelled, "cancelled by the user"), show: .finishing), "\(reached)")
            #expect(session.recorded == .cancelled)
        }
    }

    @Test func aJobAlreadyStoppingOrEndedCannotBeCancelled() {
        for reached in [Reached.cancelling, .aborting, .ended] {
            var session = Self.session(reached)
            #expect(session.cancelRequested(detail: "x") == .refuse("printer p1 has no job to cancel"), "\(reached)")
        }
    }

    @Test func anEmergencyStopAbortsTheJobInEveryStateOnce() {
        for reached in [Reached.printing, .pausing, .paused, .heldByFirmware] {
            var session = Self.session(reached)
            #expect(session.emergencyStopped(detail: "emergency stop button") == .init(.aborted, .aborted, "emergency stop button"), "\(reached)")
            #expect(session.emergencyStopped(detail: "again") == nil)
            #expect(session.streamEnded(.failed(reason: "emergency stop (M112) sent"), daemonStopping: false) == [], "the abort was its outcome")
        }
        for reached in [Reached.cancelling, .ended] {
            var session = Self.session(reached)
            #expect(session.emergencyStopped(detail: "x") == nil, "\(reached): M112 goes out, the job keeps its outcome")
        }
    }

    // MARK: - The printer's own screen

    @Test func thePrintersScreenPausesResumesAndCancelsAsAPersonWould() {
        var session = Self.session(.printing)
        #expect(session.hostAction(.pause) == .pause(.pause(record: .init(.paused, .paused, "paused from the printer's screen"), show: .finishing)))
        #expect(session.hostAction(.pause) == .ignore, "a second press while pausing")
        _ = session.parked(at: Self.position)
        #expect(session.hostAction(.resume) == .resume(.resume(write: .init(.printing, .resumed, "resumed from the printer's screen"), from: Self.position)))
        _ = session.resumeRecorded()
        #expect(session.hostAction(.cancel) == .cancel(.cancel(record: .init(.cancelled, .cancelled, "cancelled from the printer's screen"), show: .finishing)))
        #expect(session.hostAction(.cancel) == .ignore)
    }

    @Test func theFirmwarePausesAndResumesByItselfAndTheJobFollows() {
        var session = Self.session(.printing)
        #expect(session.hostAction(.paused) == .record(.init(.paused, .paused, "the printer paused by itself (//action:paused)"), show: .paused))
        #expect(session.recorded == .paused)
        #expect(session.hostAction(.paused) == .ignore)
        #expect(session.hostAction(.resumed) == .record(.init(.printing, .resumed, "the printer resumed by itself (//action:resumed)"), show: .printing))
        #expect(session.recorded == .printing)
        #expect(session.hostAction(.resumed) == .ignore, "a resume while printing changes nothing")
    }

    @Test func aResumePressedOnThePrinterReleasesTheFirmwaresPauseToo() {
        var session = Self.session(.heldByFirmware)
        #expect(session.hostAction(.resume) == .record(.init(.printing, .resumed, "the printer resumed by itself (//action:resume)"), show: .printing))
    }

    @Test func theScreenIsIgnoredOnceTheJobEnds() {
        for reached in [Reached.cancelling, .aborting, .ended] {
            for action in [HostAction.pause, .paused, .resume, .resumed, .cancel, .disconnect] {
                var session = Self.session(reached)
                #expect(session.hostAction(action) == .ignore, "\(reached) \(action)")
            }
        }
    }

    // MARK: - The end of the stream

    @Test func aCompletedStreamCompletesTheJob() {
        var session = Self.session(.printing)
        #expect(session.streamEnded(.completed, daemonStopping: false) == [.init(.completed, nil, nil)])
        #expect(session.hasEnded)
        #expect(session.streamEnded(.completed, daemonStopping: false) == [], "ended once")
    }

    @Test func aPauseThatCameAfterTheLastLineStillCompletesTheJob() {
        var session = Self.session(.paused)
        #expect(session.streamEnded(.completed, daemonStopping: false) == [
            .init(.printing, .resumed, "the pause came after the last line was sent: the job ran to its end"),
            .init(.completed, nil, nil),
        ])
    }

    @Test func aFailedLinkFailsTheJobWithItsReasonInEveryRunningState() {
        for reached in [Reached.printing, .pausing, .paused, .heldByFirmware] {
            var session = Self.session(reached)
            #expect(session.streamEnded(.failed(reason: "printer unplugged: /dev/ttyACM0 is gone"), daemonStopping: false)
                == [.init(.failed, nil, "printer unplugged: /dev/ttyACM0 is gone")], "\(reached)")
        }
    }

    @Test func aJobCutOffByTheDaemonStoppingIsInterruptedNotFailed() {
        var session = Self.session(.printing)
        #expect(session.streamEnded(.failed(reason: "the connection was closed"), daemonStopping: true)
            == [.init(.interrupted, nil, "the connection was closed")])
    }

    @Test func aCancelOrAnAbortKeepsItsOutcomeWhateverTheStreamSays() {
        var cancelled = Self.session(.cancelling)
        #expect(cancelled.streamEnded(.cancelled, daemonStopping: false) == [])
        var stillCancelled = Self.session(.cancelling)
        #expect(stillCancelled.streamEnded(.failed(reason: "reset"), daemonStopping: true) == [])
        #expect(stillCancelled.recorded == .cancelled)
        var aborted = Self.session(.aborting)
        #expect(aborted.streamEnded(.completed, daemonStopping: false) == [])
        #expect(aborted.recorded == .aborted)
    }
}
