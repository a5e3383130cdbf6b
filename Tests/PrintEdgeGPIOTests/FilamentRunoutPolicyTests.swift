import Testing
import PrintEdgeGPIO

@Suite struct FilamentRunoutPolicyTests {
    private func event(_ edge: GPIOLineEvent.Edge, sequence: UInt32 = 1) -> GPIOLineEvent {
        GPIOLineEvent(timestampNanoseconds: UInt64(sequence) * 1_000_000, edge: edge, offset: 5, sequenceNumber: sequence, lineSequenceNumber: sequence)
    }

    @Test func aRunoutDuringAPrintPausesAtOnceAndResumeWaitsForFilament() {
        var sensor = FilamentRunoutPolicy()
        #expect(sensor.sensorRead(filamentPresent: true, jobIsPrinting: false) == .none)
        #expect(sensor.resumeRequested() == .allowed)
        #expect(sensor.lineEvent(event(.falling), jobIsPrinting: true) == .pauseJob(reason: "filament runout: load filament, then resume"))
        #expect(sensor.resumeRequested() == .refused(reason: "no filament in the runout sensor: load filament to resume"))
        #expect(sensor.lineEvent(event(.rising, sequence: 2), jobIsPrinting: false) == .record(.inserted))
        #expect(sensor.resumeRequested() == .allowed)
    }

    @Test func aRunoutWithNothingPrintingIsRecordedAndBlocksTheNextStart() {
        var sensor = FilamentRunoutPolicy()
        #expect(sensor.sensorRead(filamentPresent: false, jobIsPrinting: false) == .record(.runout))
        #expect(sensor.jobStartRequested() == .refused(reason: "no filament in the runout sensor: load filament to start"))
    }

    @Test func aRepeatedLevelChangesNothing() {
        var sensor = FilamentRunoutPolicy()
        _ = sensor.sensorRead(filamentPresent: true, jobIsPrinting: true)
        #expect(sensor.lineEvent(event(.rising), jobIsPrinting: true) == .none)
        _ = sensor.lineEvent(event(.falling, sequence: 2), jobIsPrinting: true)
        #expect(sensor.lineEvent(event(.falling, sequence: 3), jobIsPrinting: true) == .none)
    }

    @Test func anUnreadSensorHoldsJobsBack() {
        let sensor = FilamentRunoutPolicy()
        #expect(sensor.filamentPresent == nil)
        #expect(sensor.jobStartRequested() == .refused(reason: "the filament sensor has not been read yet: check its wiring and the [gpio] configuration"))
    }

    @Test func theLineIsRequestedSoThatActiveMeansFilamentPresent() {
        #expect(
            FilamentRunoutPolicy.lineSettings(presentLevel: .low, bias: .pullUp, debounce: .milliseconds(50))
                == .input(bias: .pullUp, edges: .both, debounce: .milliseconds(50), activeLow: true))
        #expect(
            FilamentRunoutPolicy.lineSettings(presentLevel: .high, bias: .pullDown, debounce: .zero)
                == .input(bias: .pullDown, edges: .both, debounce: .zero, activeLow: false))
    }
}
