@testable import PrintEdgeCore

/// Runs `lines` (joined with LF, as a file would hold them) through the analyzer.
func analyze(_ lines: [String], options: GCodeAnalyzer.Options = .init(accelerationMMPerSecondSquared: nil)) -> GCodeAnalysis {
    var analyzer = GCodeAnalyzer(options: options)
    var offset = 0
    for line in lines {
        analyzer.consume(rawLine: Array(line.utf8), byteOffset: offset)
        offset += line.utf8.count + 1
    }
    return analyzer.finish()
}

/// The state a printer has after `lines`, applied one by one as the analyzer would.
func machineState(after lines: some Sequence<String>, from initial: GCodeMachineState = GCodeMachineState()) -> GCodeMachineState {
    var state = initial
    for line in lines {
        if let command = GCodeNormalizer.normalize(Array(line.utf8)) { state.apply(command) }
    }
    return state
}

/// Byte offset of each line's first byte when `lines` are joined with LF.
func lineOffsets(_ lines: [String]) -> [Int] {
    var offsets: [Int] = []
    var offset = 0
    for line in lines {
        offsets.append(offset)
        offset += line.utf8.count + 1
    }
    return offsets
}

extension Duration {
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

func isClose(_ a: Double, _ b: Double, within tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance
}
