import PrintEdgeCore
import PrintEdgeSerial
import Testing

@Suite("The monotonic clock")
struct MonotonicClockTests {
    @Test("the monotonic clock never goes backwards")
    func monotonicClockIsMonotonic() {
        let first = MonotonicInstant.now()
        let second = MonotonicInstant.now()
        #expect(first <= second)
        #expect(first > .zero)
    }
}
