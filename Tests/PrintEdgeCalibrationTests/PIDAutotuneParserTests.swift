import Testing
import PrintEdgeCore
@testable import PrintEdgeCalibration

@Suite struct PIDAutotuneParserTests {
    private func parse(_ text: String) -> (PIDAutotuneParser, [PIDAutotuneParser.Event]) {
        var parser = PIDAutotuneParser()
        var events: [PIDAutotuneParser.Event] = []
        for line in FirmwareSamples.lines(text) { events += parser.consume(line) }
        return (parser, events)
    }

    @Test func readsTheCyclesOfACapturedHotendTuneIncludingTheGluedTemperatureReports() {
        let (parser, events) = parse(FirmwareSamples.hotendTune)
        #expect(events.first == .started)
        #expect(parser.cycles.count == 4)
        #expect(parser.cycles[0] == PIDCycle(number: 1, bias: 61, d: 61, minimumCelsius: 208.01, maximumCelsius: 216.95))
        #expect(parser.cycles[1].maximumCelsius == 212.44)
        #expect(parser.cycles[2] == PIDCycle(number: 3, bias: 55, d: 55, minimumCelsius: 203.87, maximumCelsius: 211.91, ultimateGain: 17.41,
                                            ultimatePeriodSeconds: 18.16, rule: "Classic PID", constants: PIDConstants(kp: 10.45, ki: 1.15, kd: 23.72)))
        #expect(parser.cycles[3].constants == PIDConstants(kp: 11.07, ki: 1.22, kd: 25.13))
        // The temperature glued onto the first two cycle lines is reported on its own.
        let temperatures = events.compactMap { event -> Double? in
            if case .temperature(let report) = event { report.reading(.activeTool)?.actualCelsius } else { nil }
        }
        #expect(temperatures == [209.02, 209.94])
        #expect(!events.contains { if case .unreadable = $0 { true } else { false } })
    }

    @Test func theCapturedLogEndsBeforeFinishedSoItsResultIsCutShort() {
        let (parser, _) = parse(FirmwareSamples.hotendTune)
        #expect(throws: CalibrationParseError.cutShort(what: "M303", detail: "it ended without `PID Autotune finished!` or a failure (interrupted with M108?)")) {
            try parser.result()
        }
    }

    @Test func readsTheFinalBedConstantsFromTheDefineLines() throws {
        let (parser, events) = parse(FirmwareSamples.bedTune)
        #expect(try parser.result() == PIDConstants(kp: 74.16, ki: 13.72, kd: 267.33))
        #expect(events.contains(.finished(PIDConstants(kp: 74.16, ki: 13.72, kd: 267.33))))
        #expect(parser.cycles.map(\.rule) == [nil, nil, "No overshoot", "No overshoot"])
    }

    @Test func aGluedTemperatureReportAfterTheLastCycleValueStillLeavesTheValueExact() {
        var parser = PIDAutotuneParser()
        _ = parser.consume("PID Autotune start")
        let events = parser.consume(" bias: 61 d: 61 min: 208.01 max: 216.95 T0:209.02 /0.00 T1:25.00 /0.00 @:61")
        #expect(events.first == .cycle(PIDCycle(number: 1, bias: 61, d: 61, minimumCelsius: 208.01, maximumCelsius: 216.95)))
    }

    @Test func eachOfMarlinsFailureStringsEndsTheTune() {
        let cases: [(String, PIDAutotuneFailure)] = [
            ("PID Autotune failed! Bad heater id", .badHeaterID),
            ("PID Autotune failed! Temperature too high", .temperatureTooHigh),
            ("PID Autotune failed! timeout", .timeout),
            ("Error:Heating failed, system stopped! Heater_ID: bed", .heaterFault("Heating failed, system stopped! Heater_ID: bed")),
        ]
        for (line, failure) in cases {
            var parser = PIDAutotuneParser()
            _ = parser.consume("PID Autotune start")
            #expect(parser.consume(line) == [.failed(failure)], "\(line)")
            #expect(throws: CalibrationParseError.self) { try parser.result() }
        }
    }

    @Test func aFailureGluedOntoAnUnterminatedCycleLineIsReadAsBoth() {
        var parser = PIDAutotuneParser()
        _ = parser.consume("PID Autotune start")
        let events = parser.consume(" bias: 56 d: 56 min: 203.98 max: 212.44PID Autotune failed! timeout")
        #expect(events == [.cycle(PIDCycle(number: 1, bias: 56, d: 56, minimumCelsius: 203.98, maximumCelsius: 212.44)), .failed(.timeout)])
    }

    @Test func aDamagedCycleLineIsReportedAndLeftOutNeverReadAsAWrongNumber() {
        var parser = PIDAutotuneParser()
        _ = parser.consume("PID Autotune start")
        let events = parser.consume(" bias: 55 d: 5#5 min: 203.87 max: 211.91 Ku: 17.41 Tu: 18.16")
        guard case .unreadable = events.first else {
            Issue.record("expected the damaged line to be refused, got \(events)")
            return
        }
        #expect(parser.cycles.isEmpty)
        // Its Kp line then has no cycle to belong to.
        guard case .unreadable = parser.consume(" Kp: 10.45 Ki: 1.15 Kd: 23.72").first else {
            Issue.record("a Kp line without its cycle must be refused")
            return
        }
    }

    @Test func aCycleWhoseKpLineWasLostIsReportedWhenTheNextCycleStarts() {
        var parser = PIDAutotuneParser()
        _ = parser.consume("PID Autotune start")
        _ = parser.consume(" bias: 55 d: 55 min: 203.87 max: 211.91 Ku: 17.41 Tu: 18.16")
        _ = parser.consume(" Classic PID")
        let events = parser.consume(" bias: 53 d: 53 min: 204.60 max: 211.91 Ku: 18.45 Tu: 18.16")
        guard case .unreadable(_, let reason) = events.first else {
            Issue.record("expected the lost Kp line to be reported, got \(events)")
            return
        }
        #expect(reason == "cycle 1's Kp, Ki and Kd line never came")
    }

    @Test func finishedWithoutAllThreeDefinesIsCutShort() {
        var parser = PIDAutotuneParser()
        _ = parser.consume("PID Autotune start")
        _ = parser.consume("PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h")
        _ = parser.consume("#define DEFAULT_Kp 22.20")
        _ = parser.consume("#define DEFAULT_Ki 1.08")
        #expect(throws: CalibrationParseError.cutShort(what: "M303's result", detail: "after `PID Autotune finished!` not all three `#define DEFAULT_K…` lines arrived")) {
            try parser.result()
        }
    }

    @Test func aTruncatedDefineIsRefused() {
        var parser = PIDAutotuneParser()
        _ = parser.consume("PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h")
        guard case .unreadable = parser.consume("#define DEFAULT_Kp").first else {
            Issue.record("a define without its value must be refused")
            return
        }
    }

    @Test func chatterBetweenTheLinesIsIgnored() {
        var parser = PIDAutotuneParser()
        #expect(parser.consume("echo:busy: processing").isEmpty)
        #expect(parser.consume("ok").isEmpty)
        #expect(parser.consume("echo:PID Autotune start") == [.started])
    }

    @Test func statisticsTakeTheMedianAndSpreadAndTheMedianPeriodCycle() throws {
        let (parser, _) = parse(FirmwareSamples.bedTune)
        let statistics = try #require(PIDCycleStatistics(cycles: parser.cycles))
        #expect(statistics.cycleCount == 2)
        #expect(statistics.kp.median == (66.82 + 74.16) / 2)
        #expect(statistics.kp.minimum == 66.82)
        #expect(statistics.kp.maximum == 74.16)
        // The shorter period (10.81 s) is the lower middle of two.
        #expect(statistics.medianPeriodCycle.constants == PIDConstants(kp: 74.16, ki: 13.72, kd: 267.33))
        let spread = try #require(statistics.kp.percentOfMedian)
        #expect(abs(spread - (74.16 - 66.82) / 70.49 * 100) < 1e-9)
    }

    @Test func statisticsNeedACycleWithConstants() {
        #expect(PIDCycleStatistics(cycles: [PIDCycle(number: 1, bias: 1, d: 1, minimumCelsius: 1, maximumCelsius: 2)]) == nil)
    }
}
