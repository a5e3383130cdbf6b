import Testing
@testable import PrintEdgeSimulator

/// The bed's screws for tramming tests: a turn moves the bed at its screw by the M3 pitch,
/// the way the thread says, and in between bilinearly.
@Suite struct BedScrewsTests {
    @Test func aTurnMovesTheBedAtItsScrewOnlyThere() {
        var screws = BedScrews()
        var turned = screws.turn("front right cw 1")
        #expect(turned)
        #expect(abs(screws.offset(atX: 180, y: 20, width: 220, depth: 220) - 0.5) < 1e-12)
        #expect(screws.offset(atX: 20, y: 20, width: 220, depth: 220) == 0)
        #expect(screws.offset(atX: 180, y: 180, width: 220, depth: 220) == 0)
        #expect(abs(screws.offset(atX: 100, y: 100, width: 220, depth: 220) - 0.125) < 1e-12, "halfway between the four screws")
        turned = screws.turn("Front-Right ccw 0.5")
        #expect(turned)
        #expect(abs(screws.offset(atX: 180, y: 20, width: 220, depth: 220) - 0.25) < 1e-12)
        turned = screws.turn("3 cw 0.25")
        #expect(turned)
        #expect(abs(screws.raisedMillimetres[2] - 0.125) < 1e-12)
    }

    @Test(arguments: ["front right", "middle cw 1", "front right sideways 1", "5 cw 1", "front left cw many"])
    func aLineThatIsNotATurnChangesNothing(line: String) {
        var screws = BedScrews()
        let turned = screws.turn(line)
        #expect(!turned)
        #expect(screws == BedScrews())
    }
}
