import Testing
@testable import PrintEdgeCore

@Suite struct GCodeLineTests {
    private func normalized(_ text: String) -> String? {
        GCodeNormalizer.normalize(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func stripsCommentsAndBlanks() {
        #expect(normalized("G1 X10 Y20 ; move") == "G1 X10 Y20")
        #expect(normalized("  G1   X10\tY20  ") == "G1 X10 Y20")
        #expect(normalized("G1 (inline comment) X1") == "G1 X1")
        #expect(normalized("G28\r") == "G28")
    }

    @Test func dropsEmptyAndCommentOnlyLines() {
        #expect(normalized("") == nil)
        #expect(normalized("   ") == nil)
        #expect(normalized("; just a comment") == nil)
        #expect(normalized("(only this)") == nil)
    }

    @Test func removesAnExistingLineNumberAndChecksum() {
        #expect(normalized("N12 G1 X1*45") == "G1 X1")
        #expect(normalized("N7G28*3") == "G28")
        #expect(normalized("M117 Hello") == "M117 Hello")
    }

    @Test func framingMatchesMarlinChecksum() {
        // Marlin's own example from the M110 handshake: N0 M110 N0 has checksum 125.
        #expect(LineFraming.framed(number: 0, command: Array("M110 N0".utf8)) == Array("N0 M110 N0*125\n".utf8))
        let framed = LineFraming.framed(number: 123, command: Array("G1 X10".utf8))
        let text = String(decoding: framed, as: UTF8.self)
        let body = Array("N123 G1 X10".utf8)
        #expect(text == "N123 G1 X10*\(LineFraming.checksum(body))\n")
    }

    @Test func framedLengthPredictsTheBytes() {
        for number in [0, 9, 10, 999, 1_000_000] {
            let command = Array("G1 X123.456 Y78.9 E0.0123".utf8)
            let framed = LineFraming.framed(number: number, command: command)
            let checksum = LineFraming.checksum(framed.prefix { $0 != UInt8(ascii: "*") })
            #expect(LineFraming.framedLength(number: number, commandLength: command.count, checksum: checksum) == framed.count)
        }
    }

    @Test func ringBufferKeepsOrderAcrossGrowth() {
        var ring = RingBuffer<Int>(capacity: 2)
        for value in 0..<5 { ring.append(value) }
        #expect(ring.popFirst() == 0)
        for value in 5..<9 { ring.append(value) }
        var drained: [Int] = []
        while let value = ring.popFirst() { drained.append(value) }
        #expect(drained == Array(1..<9))
    }
}
