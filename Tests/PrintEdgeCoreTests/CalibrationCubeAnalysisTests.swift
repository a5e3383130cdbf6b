import Foundation
import Testing
@testable import PrintEdgeCore

/// The analysis of `hardware/samples/calibration-cube.gcode` against figures computed here
/// independently, with a deliberately naive reading of that (simple, slicer-like) file.
@Suite struct CalibrationCubeAnalysisTests {
    private struct SampleFile {
        var lines: [String]
        var offsets: [Int]
    }

    private static func sample() throws -> SampleFile {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("hardware/samples/calibration-cube.gcode").path
        let bytes = try #require(FileManager.default.contents(atPath: path), "cannot read \(path)")
        var lines: [String] = []
        var offsets: [Int] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
            offsets.append(start)
            start = index + 1
        }
        if start < bytes.count {
            lines.append(String(decoding: bytes[start...], as: UTF8.self))
            offsets.append(start)
        }
        return SampleFile(lines: lines, offsets: offsets)
    }

    private static func analysis(of sample: SampleFile, options: GCodeAnalyzer.Options) -> GCodeAnalysis {
        var analyzer = GCodeAnalyzer(options: options)
        for (line, offset) in zip(sample.lines, sample.offsets) { analyzer.consume(rawLine: Array(line.utf8), byteOffset: offset) }
        return analyzer.finish()
    }

    /// What the file does, read word by word: the Z of each run of printing moves, the
    /// filament (relative E, no retractions in this file), the time at the feedrates, and the
    /// extent of the printing moves.
    private struct NaiveReading {
        var printingZRuns: [Double] = []
        var filamentMM = 0.0
        var secondsAtFeedrate = 0.0
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        var commands = 0

        init(_ lines: [String]) {
            var x = 0.0, y = 0.0, z = 0.0, feedrate = 1500.0
            var relative = false
            for line in lines {
                let command = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
                let words = command.split(separator: " ")
                guard let code = words.first else { continue }
                commands += 1
                var values: [Character: Double] = [:]
                for word in words.dropFirst() {
                    if let letter = word.first { values[letter] = Double(word.dropFirst()) }
                }
                switch code {
                case "G90": relative = false
                case "G91": relative = true
                case "G1", "G0":
                    if let f = values["F"] { feedrate = f }
                    let nx = values["X"].map { relative ? x + $0 : $0 } ?? x
                    let ny = values["Y"].map { relative ? y + $0 : $0 } ?? y
                    let nz = values["Z"].map { relative ? z + $0 : $0 } ?? z
                    let distance = ((nx - x) * (nx - x) + (ny - y) * (ny - y) + (nz - z) * (nz - z)).squareRoot()
                    secondsAtFeedrate += distance / (feedrate / 60)
                    if let e = values["E"], e > 0 {
                        filamentMM += e
                        if nx != x || ny != y {
                            if printingZRuns.last != nz { printingZRuns.append(nz) }
                            minX = min(minX, x, nx); maxX = max(maxX, x, nx)
                            minY = min(minY, y, ny); maxY = max(maxY, y, ny)
                        }
                    }
                    (x, y, z) = (nx, ny, nz)
                case "G28": (x, y, z) = (0, 0, 0)
                default: break
                }
            }
        }
    }

    @Test func layersAreTheRunsOfPrintingHeights() throws {
        let sample = try Self.sample()
        let analysis = Self.analysis(of: sample, options: .init())
        let naive = NaiveReading(sample.lines)
        #expect(analysis.layers.map(\.zMM) == naive.printingZRuns)
        #expect(analysis.layers.count == 101)
        #expect(analysis.firstLayerHeightMM == 0.2)
        // Layer 0 is the prime line at 0.3 mm; every other layer starts at its `G1 Z`.
        #expect(sample.lines[analysis.layers[0].sourceLine - 1].hasPrefix("G1 X5 Y20 Z0.3"))
        for layer in analysis.layers.dropFirst() {
            #expect(sample.lines[layer.sourceLine - 1].hasPrefix("G1 Z"), "layer \(layer.index)")
            #expect(layer.byteOffset == sample.offsets[layer.sourceLine - 1])
        }
    }

    @Test func resumeStatesMatchAReplayOfTheLinesBefore() throws {
        let sample = try Self.sample()
        let analysis = Self.analysis(of: sample, options: .init())
        for index in [1, 2, 50, 100] {
            let layer = analysis.layers[index]
            #expect(layer.resumeState == machineState(after: sample.lines.prefix(layer.sourceLine - 1)), "layer \(index)")
            #expect(layer.resumeState.hotendTargetsCelsius == [210])
            #expect(layer.resumeState.extrusion == .relative)
        }
        #expect(analysis.layers[50].resumeState.fanSpeeds == [255])
    }

    @Test func figuresMatchAnIndependentReading() throws {
        let sample = try Self.sample()
        let analysis = Self.analysis(of: sample, options: .init(accelerationMMPerSecondSquared: nil))
        let naive = NaiveReading(sample.lines)
        #expect(analysis.sourceLines == sample.lines.count)
        #expect(analysis.commands == naive.commands)
        #expect(isClose(analysis.filamentMM, naive.filamentMM, within: 1e-6))
        #expect(isClose(analysis.estimatedDuration.inSeconds, naive.secondsAtFeedrate, within: 1e-6))
        #expect(analysis.extrusionBounds.xMM == naive.minX...naive.maxX)
        #expect(analysis.extrusionBounds.yMM == naive.minY...naive.maxY)
        #expect(analysis.extrusionBounds.zMM == 0.2...20)
        #expect(analysis.maxHotendTargetCelsius == 210)
        #expect(analysis.maxBedTargetCelsius == 60)
        #expect(analysis.slicerEstimate == nil)
    }

    @Test func accelerationMakesThePrintLongerButNotAbsurdly() throws {
        let sample = try Self.sample()
        let atFeedrate = Self.analysis(of: sample, options: .init(accelerationMMPerSecondSquared: nil)).estimatedDuration
        let accelerated = Self.analysis(of: sample, options: .init()).estimatedDuration
        #expect(accelerated > atFeedrate)
        #expect(accelerated < atFeedrate * 2)
    }
}
