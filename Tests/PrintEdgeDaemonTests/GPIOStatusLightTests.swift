@testable import PrintEdgeDaemon
import PrintEdgeGPIO
import Testing

/// Which pattern one LED shows for the printers it serves.
@Suite struct GPIOStatusLightTests {
    private func activity(_ state: PrinterState) -> PrinterActivity {
        PrinterActivity(state: state, hasJob: state == .printing || state == .paused, hotendCelsius: nil)
    }

    @Test func theStateThatMostNeedsSomeoneWins() {
        #expect(GPIOStatusLight.pattern(for: [activity(.idle), activity(.printing)], emergencyStopPressed: false) == .printing)
        #expect(GPIOStatusLight.pattern(for: [activity(.printing), activity(.paused)], emergencyStopPressed: false) == .paused)
        #expect(GPIOStatusLight.pattern(for: [activity(.paused), activity(.error)], emergencyStopPressed: false) == .error)
        #expect(GPIOStatusLight.pattern(for: [activity(.finishing)], emergencyStopPressed: false) == .printing)
    }

    @Test func aPressedEmergencyStopShowsAnErrorWhateverThePrintersDo() {
        #expect(GPIOStatusLight.pattern(for: [activity(.idle)], emergencyStopPressed: true) == .error)
    }

    @Test func printersNotYetHeardFromOrOfflineShowIdle() {
        #expect(GPIOStatusLight.pattern(for: [nil, activity(.offline), activity(.connecting)], emergencyStopPressed: false) == .idle)
        #expect(GPIOStatusLight.pattern(for: [], emergencyStopPressed: false) == .idle)
    }
}
