import Foundation
import PrintEdgeCore
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeAgent

@Suite struct GCodeFileReaderTests {
    private struct Line: Equatable {
        var number: Int
        var offset: Int
        var text: [UInt8]
    }

    /// The lines of `bytes` as the reader should return them: split at LF, numbered from 1,
    /// with the offset of their first byte.
    private func referenceLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(Line(number: lines.count + 1, offset: start, text: Array(bytes[start..<index])))
            start = index + 1
        }
        if start < bytes.count { lines.append(Line(number: lines.count + 1, offset: start, text: Array(bytes[start...]))) }
        return lines
    }

    private func readAll(_ reader: GCodeFileReader) throws -> [Line] {
        var lines: [Line] = []
        while let line = try reader.nextLine() {
            lines.append(Line(number: reader.sourceLine, offset: reader.lineStartOffset, text: Array(line)))
        }
        return lines
    }

    private func sampleBytes(lineEnding: String) -> [UInt8] {
        Array(SampleGCode.calibrationPrint(layers: 12).map { $0 + lineEnding }.joined().utf8)
    }

    @Test func everyLineComesWithTheOffsetOfItsFirstByte() throws {
        // Lines cross the 4 KiB buffer's boundaries many times.
        let bytes = sampleBytes(lineEnding: "\n") + Array("; last line without newline".utf8)
        let directory = try TemporaryDirectory()
        let file = try directory.write("job.gcode", bytes: bytes)
        let lines = try readAll(GCodeFileReader(path: file, bufferSize: 4096))
        #expect(lines == referenceLines(bytes))
    }

    @Test func crlfLinesKeepTheirCarriageReturnAndExactOffsets() throws {
        let bytes = sampleBytes(lineEnding: "\r\n")
        let directory = try TemporaryDirectory()
        let file = try directory.write("job.gcode", bytes: bytes)
        let lines = try readAll(GCodeFileReader(path: file, bufferSize: 4096))
        #expect(lines == referenceLines(bytes))
        #expect(lines.first?.text.last == UInt8(ascii: "\r"))
    }

    @Test func readingFromALayerStartContinuesTheFileAndItsNumbering() throws {
        for lineEnding in ["\n", "\r\n"] {
            let bytes = sampleBytes(lineEnding: lineEnding)
            let directory = try TemporaryDirectory()
            let file = try directory.write("job.gcode", bytes: bytes)
            let reader = try GCodeFileReader(path: file, bufferSize: 4096)
            var analyzer = GCodeAnalyzer()
            while let line = try reader.nextLine() { analyzer.consume(rawLine: line, byteOffset: reader.lineStartOffset) }
            let analysis = analyzer.finish()
            #expect(analysis.layers.count == 12)

            let reference = referenceLines(bytes)
            for layer in [analysis.layers[1], analysis.layers[7], analysis.layers[11]] {
                let resumed = try GCodeFileReader(path: file, bufferSize: 4096, startingAt: layer.byteOffset,
                                                  sourceLine: layer.sourceLine)
                let rest = try readAll(resumed)
                #expect(rest == Array(reference[(layer.sourceLine - 1)...]))
                let firstLine = String(decoding: rest.first?.text ?? [], as: UTF8.self)
                #expect(firstLine.hasPrefix("G1 Z"))
            }
        }
    }

    @Test func anOffsetPastTheEndOfTheFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("job.gcode", bytes: Array("G28\nG1 X1\n".utf8))
        #expect(throws: GCodeFileReader.Failure.cannotSeek(path: file, byteOffset: 11, reason: "the file has 10 bytes")) {
            _ = try GCodeFileReader(path: file, startingAt: 11, sourceLine: 3)
        }
        let atEnd = try GCodeFileReader(path: file, startingAt: 10, sourceLine: 3)
        #expect(try atEnd.nextLine() == nil)
    }
}
