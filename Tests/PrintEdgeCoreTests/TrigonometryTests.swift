import Foundation
import Testing
@testable import PrintEdgeCore

@Suite struct TrigonometryTests {
    @Test func matchesTheCLibraryAcrossSeveralTurns() {
        for step in -400...400 {
            let angle = Double(step) * 0.0471
            #expect(isClose(Trigonometry.sine(angle), sin(angle), within: 1e-14), "sin \(angle)")
            #expect(isClose(Trigonometry.cosine(angle), cos(angle), within: 1e-14), "cos \(angle)")
        }
    }

    @Test func arctangentMatchesAtan2InEveryQuadrant() {
        for step in 0..<360 {
            let angle = Double(step) * Double.pi / 180 + 0.001
            for radius in [0.001, 1, 250] {
                let (x, y) = (radius * cos(angle), radius * sin(angle))
                #expect(isClose(Trigonometry.arctangent(y, x), atan2(y, x), within: 1e-14), "atan2 \(y) \(x)")
            }
        }
        #expect(Trigonometry.arctangent(0, -1) == Double.pi)
        #expect(Trigonometry.arctangent(0, 0) == 0)
    }
}
