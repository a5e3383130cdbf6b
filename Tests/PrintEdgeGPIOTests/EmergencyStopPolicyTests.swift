import Testing
@testable import PrintEdgeGPIO

@Suite struct EmergencyStopPolicyTests {
    private func event(_ edge: GPIOLineEvent.Edge, sequence: UInt32 = 1) -> GPIOLineEvent {
        GPIOLineEvent(timestampNanoseconds: UInt64(sequence), edge: edge, offset: 27, sequenceNumber: sequence, lineSequenceNumber: sequence)
    }

    @Test func aPressStopsInOrderM112ThenRelayThenJob() {
        var stop = EmergencyStopPolicy()
        #expect(stop.levelRead(pressed: false) == .none)
        #expect(stop.jobStartRequested() == .allowed)
        #expect(stop.lineEvent(event(.rising)) == .stop(steps: [.sendEmergencyStop, .switchPowerRelayOff, .abortJob]))
        #expect(stop.isPressed)
        #expect(stop.jobStartRequested() == .refused(reason: "the emergency stop is pressed (or its wire is broken): release it, check the printer, then reset it"))
    }

    @Test func contactBounceAfterThePressIsIgnoredAndAReleaseAllowsJobsAgain() {
        var stop = EmergencyStopPolicy()
        _ = stop.levelRead(pressed: false)
        _ = stop.lineEvent(event(.rising, sequence: 1))
        #expect(stop.lineEvent(event(.rising, sequence: 2)) == .none)
        #expect(stop.lineEvent(event(.falling, sequence: 3)) == .released)
        #expect(stop.lineEvent(event(.falling, sequence: 4)) == .none)
        #expect(stop.jobStartRequested() == .allowed)
    }

    @Test func aBrokenWireAtStartStopsToo() {
        var stop = EmergencyStopPolicy()
        #expect(stop.jobStartRequested() == .refused(reason: "the emergency stop has not been read yet: check its wiring and the [gpio] configuration"))
        #expect(stop.levelRead(pressed: true) == .stop(steps: EmergencyStopPolicy.stopSequence))
    }

    @Test func aNormallyClosedSwitchIsActiveHighAndANormallyOpenOneActiveLow() {
        #expect(EmergencyStopPolicy.lineSettings(normallyClosed: true) == .input(bias: .pullUp, edges: .both, debounce: .zero, activeLow: false))
        #expect(EmergencyStopPolicy.lineSettings(normallyClosed: false) == .input(bias: .pullUp, edges: .both, debounce: .zero, activeLow: true))
    }

    /// From an edge event arriving on the request's descriptor to `M112` being issued:
    /// read, decode, decide. Printed, never asserted against a threshold (the machine's load
    /// is not the code's), so a regression shows in the log.
    @Test func theTimeFromAnEdgeOnTheDescriptorToM112IsMeasured() throws {
        let device = RecordingChipDevice.raspberryPi5()
        let request = try GPIOChip(device: device).request(
            GPIOLineRequestConfiguration(lines: [.init(offset: 27, settings: EmergencyStopPolicy.lineSettings(normallyClosed: true))]))
        let events = try #require(device.grantedRequests.first)
        var stop = EmergencyStopPolicy()
        _ = stop.levelRead(pressed: false)
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        for press in UInt32(1)...200 {
            events.send([kernelEvent(.rising, offset: 27, timestampNanoseconds: UInt64(press), sequenceNumber: press * 2 - 1, lineSequenceNumber: press * 2 - 1)])
            let arrived = clock.now
            for event in try request.readEvents() {
                if case .stop(let steps) = stop.lineEvent(event), steps.first == .sendEmergencyStop {
                    latencies.append(arrived.duration(to: clock.now))
                }
            }
            events.send([kernelEvent(.falling, offset: 27, timestampNanoseconds: UInt64(press), sequenceNumber: press * 2, lineSequenceNumber: press * 2)])
            #expect(try request.readEvents().map { stop.lineEvent($0) } == [.released])
        }
        #expect(latencies.count == 200)
        let sorted = latencies.sorted()
        func microseconds(_ duration: Duration) -> String {
            let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
            return "\(nanoseconds / 1000).\(String(nanoseconds % 1000 / 100)) µs"
        }
        print("emergency stop, edge on the descriptor → M112 issued, 200 presses: median \(microseconds(sorted[100])), slowest \(microseconds(sorted[199]))")
    }
}
