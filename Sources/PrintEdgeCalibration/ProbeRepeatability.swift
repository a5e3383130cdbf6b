/// What `M48` measured: the probe touched the same point again and again (research §1.8,
/// `gcode/calibrate/M48.cpp`).
public struct ProbeRepeatability: Codable, Sendable, Equatable {
    public var meanMM: Double
    public var minimumMM: Double
    public var maximumMM: Double
    /// Maximum − minimum, as Marlin printed it.
    public var rangeMM: Double
    public var standardDeviationMM: Double
    /// Each sample, when M48 ran with `V2` or more (`3 of 10: z: 0.012`).
    public var samplesMM: [Double]

    public init(meanMM: Double, minimumMM: Double, maximumMM: Double, rangeMM: Double, standardDeviationMM: Double, samplesMM: [Double] = []) {
        self.meanMM = meanMM
        self.minimumMM = minimumMM
        self.maximumMM = maximumMM
        self.rangeMM = rangeMM
        self.standardDeviationMM = standardDeviationMM
        self.samplesMM = samplesMM
    }

    enum CodingKeys: String, CodingKey {
        case meanMM = "mean_mm"
        case minimumMM = "minimum_mm"
        case maximumMM = "maximum_mm"
        case rangeMM = "range_mm"
        case standardDeviationMM = "standard_deviation_mm"
        case samplesMM = "samples_mm"
    }
}

/// Reads `M48` output a line at a time:
/// ```
/// M48 Z-Probe Repeatability Test
/// 1 of 10: z: 0.012            (V2 and up, one per sample)
/// Finished!
/// Mean: -0.051250 Min: -0.436 Max: -0.008 Range: 0.429
/// Standard Deviation: 0.128335
/// ```
/// Refusals are plain lines starting with `?` (`?Sample size not plausible (4-50).`), or
/// `echo:Home XYZ First`; a failed probe is `Error:Probing Failed` and no `Finished!`.
public struct ProbeRepeatabilityParser: Sendable {
    public enum Event: Sendable, Equatable {
        /// Sample `number` of `count` measured `zMM`.
        case sample(number: Int, count: Int, zMM: Double)
        case finished(ProbeRepeatability)
        case failed(String)
    }

    private var samples: [Double] = []
    private var summary: (mean: Double, minimum: Double, maximum: Double, range: Double)?
    private var hasFinished = false
    private var outcome: ProbeRepeatability?
    private var failure: String?
    private var problem: CalibrationParseError?

    public init() {}

    public mutating func consume(_ line: String) -> Event? {
        consume(line[...])
    }

    public mutating func consume(_ rawLine: Substring) -> Event? {
        guard !FirmwareText.isChatter(rawLine), outcome == nil, failure == nil else { return nil }
        if let message = FirmwareText.errorMessage(rawLine) {
            return fail(String(message))
        }
        let text = FirmwareText.body(rawLine)
        if text.hasPrefix("?") || text.hasPrefix("Home ") {
            return fail(String(text))
        }
        if text.hasPrefix("Finished!") {
            hasFinished = true
            return nil
        }
        if text.hasPrefix("Mean:") {
            guard let mean = DecimalNumber.after("Mean:", in: text), let minimum = DecimalNumber.after("Min:", in: text),
                  let maximum = DecimalNumber.after("Max:", in: text), let range = DecimalNumber.after("Range:", in: text)
            else {
                problem = .unreadable(what: "M48's summary", line: String(text), detail: "it needs numbers after Mean:, Min:, Max: and Range:")
                return nil
            }
            // V3 prints the same words on every sample line; only the one after `Finished!` is final.
            if hasFinished { summary = (mean.value, minimum.value, maximum.value, range.value) }
            return nil
        }
        if text.hasPrefix("Standard Deviation:") {
            guard hasFinished, let summary else {
                problem = .cutShort(what: "M48's summary", detail: "the standard deviation came without `Finished!` and the mean, minimum and maximum line")
                return nil
            }
            guard let deviation = DecimalNumber.after("Deviation:", in: text) else {
                problem = .unreadable(what: "M48's summary", line: String(text), detail: "the standard deviation is not a number")
                return nil
            }
            let result = ProbeRepeatability(meanMM: summary.mean, minimumMM: summary.minimum, maximumMM: summary.maximum, rangeMM: summary.range,
                                            standardDeviationMM: deviation.value, samplesMM: samples)
            outcome = result
            return .finished(result)
        }
        if let of = text.firstRange(of: " of "), let number = Int(text[..<of.lowerBound]) {
            let rest = text[of.upperBound...]
            guard let colon = rest.firstIndex(of: ":"), let count = Int(rest[..<colon]), let z = DecimalNumber.after("z:", in: rest) else {
                problem = .unreadable(what: "M48's sample", line: String(text), detail: "a sample reads `3 of 10: z: 0.012`")
                return nil
            }
            guard number == samples.count + 1 else {
                problem = .cutShort(what: "M48's samples", detail: "sample \(number) came after sample \(samples.count): a line was lost")
                return nil
            }
            samples.append(z.value)
            return .sample(number: number, count: count, zMM: z.value)
        }
        return nil
    }

    /// The measurement once `M48` was acknowledged.
    public func result() throws(CalibrationParseError) -> ProbeRepeatability {
        if let failure { throw .firmwareRefused(what: "M48", message: failure) }
        if let problem { throw problem }
        if let outcome { return outcome }
        if hasFinished { throw .cutShort(what: "M48's summary", detail: "`Finished!` came but not the mean and standard deviation") }
        throw .missing(what: "M48", detail: "no `Finished!`: the test did not complete")
    }

    private mutating func fail(_ message: String) -> Event? {
        failure = message
        return .failed(message)
    }
}
