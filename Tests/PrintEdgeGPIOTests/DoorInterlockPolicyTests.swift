import Testing
import PrintEdgeGPIO

@Suite struct DoorInterlockPolicyTests {
    private func event(_ edge: GPIOLineEvent.Edge) -> GPIOLineEvent {
        GPIOLineEvent(timestampNanoseconds: 1, edge: edge, offset: 6, sequenceNumber: 1, lineSequenceNumber: 1)
    }

    @Test func aJobCannotStartWhileTheDoorIsOpen() {
        var door = DoorInterlockPolicy(pausesOnOpen: false)
        #expect(door.jobStartRequested() == .refused(reason: "the door switch has not been read yet: check its wiring and the [gpio] configuration"))
        #expect(door.doorRead(closed: false, jobIsPrinting: false) == .record(.opened))
        #expect(door.jobStartRequested() == .refused(reason: "the door is open: close it to start"))
        #expect(door.lineEvent(event(.rising), jobIsPrinting: false) == .record(.closed))
        #expect(door.jobStartRequested() == .allowed)
    }

    @Test func openingTheDoorPausesThePrintWhenConfigured() {
        var door = DoorInterlockPolicy(pausesOnOpen: true)
        _ = door.doorRead(closed: true, jobIsPrinting: true)
        #expect(door.lineEvent(event(.falling), jobIsPrinting: true) == .pauseJob(reason: "the door was opened: close it, then resume"))
        #expect(door.resumeRequested() == .refused(reason: "the door is open: close it to resume"))
        #expect(door.lineEvent(event(.rising), jobIsPrinting: false) == .record(.closed))
        #expect(door.resumeRequested() == .allowed)
    }

    @Test func openingTheDoorOnlyRecordsItWhenPausingIsOff() {
        var door = DoorInterlockPolicy(pausesOnOpen: false)
        _ = door.doorRead(closed: true, jobIsPrinting: true)
        #expect(door.lineEvent(event(.falling), jobIsPrinting: true) == .record(.opened))
        #expect(door.lineEvent(event(.falling), jobIsPrinting: true) == .none)
    }

    @Test func theLineIsRequestedSoThatActiveMeansClosed() {
        #expect(
            DoorInterlockPolicy.lineSettings(closedLevel: .low, bias: .pullUp, debounce: .milliseconds(20))
                == .input(bias: .pullUp, edges: .both, debounce: .milliseconds(20), activeLow: true))
    }
}
