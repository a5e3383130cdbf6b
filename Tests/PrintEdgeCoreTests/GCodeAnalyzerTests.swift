import Testing
@testable import PrintEdgeCore

@Suite struct GCodeAnalyzerTests {
    // MARK: - Filament

    @Test func filamentCountsRetractionsAndUnretractionsOnce() {
        let relative = analyze(["M83", "G1 X10 E1", "G1 E-0.8", "G1 E0.8", "G1 X20 E1", "G1 E-0.5", "G1 E0.7"])
        #expect(isClose(relative.filamentMM, 2.2))
        let absolute = analyze(["M82", "G92 E0", "G1 X10 E5", "G1 E4", "G1 E5", "G1 X20 E6", "G92 E0", "G1 X30 E1"])
        #expect(isClose(absolute.filamentMM, 7))
    }

    // MARK: - Layers

    private static let hoppingPrint = [
        "G28", "G90", "M83",
        "G1 Z0.2 F600",
        "G1 X10 Y10 F6000",
        "G1 X20 Y10 E1 F1200",
        "G1 E-0.8",
        "G1 Z0.6",
        "G1 X30 Y30",
        "G1 Z0.2",
        "G1 E0.8",
        "G1 X40 Y30 E1",
        "G1 E-0.8",
        "G1 Z0.4",
        "G1 Z0.8",
        "G1 X10 Y10",
        "G1 Z0.4 ; back down after the hop",
        "G1 E0.8",
        "G1 X20 Y10 E1",
    ]

    @Test func zHopsDoNotMakeLayers() {
        let analysis = analyze(Self.hoppingPrint)
        #expect(analysis.layers.map(\.zMM) == [0.2, 0.4])
        #expect(analysis.layers.map(\.index) == [0, 1])
    }

    @Test func aLayerStartsAtTheCommandThatSetItsHeight() {
        let lines = Self.hoppingPrint
        let analysis = analyze(lines)
        let offsets = lineOffsets(lines)
        #expect(analysis.layers.map(\.sourceLine) == [4, 17])
        #expect(analysis.layers.map(\.byteOffset) == [offsets[3], offsets[16]])
    }

    @Test func aLayersResumeStateIsTheStateBeforeItsFirstLine() {
        let lines = Self.hoppingPrint
        for layer in analyze(lines).layers {
            #expect(layer.resumeState == machineState(after: lines.prefix(layer.sourceLine - 1)))
        }
        let second = analyze(lines).layers[1]
        #expect(second.resumeState.position.zMM == 0.8)
        #expect(second.elapsedBefore > .zero)
    }

    @Test func anUnretractWhileTravellingAtHopHeightIsNotALayer() {
        let analysis = analyze([
            "M83", "G1 Z0.2", "G1 X10 Y10 E1", "G1 E-0.8", "G1 Z1", "G1 X50 Y50 E0.8", "G1 Z0.2", "G1 X60 Y50 E1",
        ])
        #expect(analysis.layers.map(\.zMM) == [0.2])
    }

    @Test func vaseModeMakesALayerPerLayerHeightNotPerMove() {
        var lines = ["G28", "G90", "M83", "G1 Z0.2 F600", "G1 X0 Y0", "G1 X10 Y0 E1", "G1 Z0.4", "G1 X0 Y0 E1"]
        let corners = [(10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
        for step in 1...100 {
            let z = GCodeDecimal.text(0.4 + 0.02 * Double(step))
            let (x, y) = corners[step % 4]
            lines.append("G1 X\(GCodeDecimal.text(x)) Y\(GCodeDecimal.text(y)) Z\(z) E0.1")
        }
        let analysis = analyze(lines)
        let expected = [0.2, 0.4] + (3...12).map { Double($0) / 5 }
        #expect(analysis.layers.count == expected.count)
        for (layer, z) in zip(analysis.layers, expected) { #expect(isClose(layer.zMM, z, within: 1e-9)) }
        // A spiral layer starts at the move that crosses into it.
        #expect(lines[analysis.layers[2].sourceLine - 1].contains("Z0.6"))
    }

    @Test func aPurgeLineAboveTheFirstLayerIsItsOwnLayer() {
        let analysis = analyze([
            "G28", "M83", "G1 Z0.3", "G1 X0 Y0", "G1 X0 Y100 E5", "G1 Z0.2", "G1 X10 Y10", "G1 X20 Y10 E1", "G1 Z0.4",
            "G1 X20 Y20 E1",
        ])
        #expect(analysis.layers.map(\.zMM) == [0.3, 0.2, 0.4])
        #expect(analysis.firstLayerHeightMM == 0.2)
    }

    @Test func objectsPrintedOneAfterAnotherRestartTheLayerSequence() {
        let analysis = analyze([
            "G28", "M83",
            "G1 Z0.2", "G1 X10 Y10 E1", "G1 Z0.4", "G1 X20 Y10 E1",
            "G1 Z10", "G1 X100 Y100",
            "G1 Z0.2", "G1 X110 Y100 E1", "G1 Z0.4", "G1 X120 Y100 E1",
        ])
        #expect(analysis.layers.map(\.zMM) == [0.2, 0.4, 0.2, 0.4])
        #expect(analysis.layers[2].sourceLine == 9)
        #expect(analysis.layers[2].printedHeightMM == 0.4)
        #expect(analysis.layers[0].printedHeightMM == nil)
    }

    @Test func aFileWithoutExtrusionHasNoLayers() {
        let analysis = analyze(["G28", "G1 Z5", "G1 X100 Y100 F6000"])
        #expect(analysis.layers.isEmpty)
        #expect(analysis.firstLayerHeightMM == nil)
        #expect(analysis.extrusionBounds.isEmpty)
    }

    // MARK: - Bounds

    @Test func boundsSeparateExtrusionFromTravel() {
        let analysis = analyze([
            "G28", "M83", "G1 X0 Y200 Z5 F6000", "G1 Z0.2", "G1 X100 Y100", "G1 X120 Y100 E1", "G1 X120 Y120 E1", "G1 X0 Y0",
        ])
        #expect(analysis.extrusionBounds == GCodeBoundingBox(xMM: 100...120, yMM: 100...120, zMM: 0.2...0.2))
        #expect(analysis.moveBounds == GCodeBoundingBox(xMM: 0...120, yMM: 0...200, zMM: 0.2...5))
    }

    @Test func arcBoundsIncludeWhereTheArcBulges() throws {
        let analysis = analyze(["G28", "M83", "G1 Z0.2", "G1 X100 Y100", "G2 I10 J0 E3"])
        let x = try #require(analysis.extrusionBounds.xMM)
        let y = try #require(analysis.extrusionBounds.yMM)
        #expect(isClose(x.lowerBound, 100) && isClose(x.upperBound, 120))
        #expect(isClose(y.lowerBound, 90) && isClose(y.upperBound, 110))
    }

    @Test func boundsLeaveOutAxesWhosePositionIsUnknown() {
        let analysis = analyze(["G91", "M83", "G1 X10 Y10 Z0.2 E1"])
        #expect(analysis.moveBounds.isEmpty)
        #expect(analysis.layers.count == 1)
    }

    // MARK: - Time

    @Test func aSquareAtAKnownFeedrateTakesExactlyItsLengthOverTheFeedrate() {
        let analysis = analyze(["G92 X0 Y0", "G1 X10 F600", "G1 Y10", "G1 X0", "G1 Y0"])
        #expect(analysis.estimatedDuration == .seconds(4))
    }

    @Test func aMoveFromRestToRestAcceleratesAndBrakes() {
        // 100 mm at 100 mm/s with 1000 mm/s²: 0.1 s to speed up, 0.1 s to brake over 5 mm each, 0.9 s cruising.
        let analysis = analyze(["G92 X0", "G1 X100 F6000"], options: .init(accelerationMMPerSecondSquared: 1000))
        #expect(isClose(analysis.estimatedDuration.inSeconds, 1.1))
    }

    @Test func collinearSegmentsKeepTheirSpeed() {
        let lines = ["G92 X0"] + (1...10).map { "G1 X\($0 * 10) F6000" }
        let analysis = analyze(lines, options: .init(accelerationMMPerSecondSquared: 1000))
        #expect(isClose(analysis.estimatedDuration.inSeconds, 1.1))
    }

    @Test func cornersCostTimeButLessThanStoppingAtEachOne() {
        let square = ["G92 X0 Y0", "G1 X50 F6000", "G1 Y50", "G1 X0", "G1 Y0"]
        let accelerated = analyze(square, options: .init(accelerationMMPerSecondSquared: 1000)).estimatedDuration.inSeconds
        let stoppingAtEachCorner = 4 * (0.1 + 0.5)
        #expect(accelerated > 2.0)
        #expect(accelerated < stoppingAtEachCorner)
    }

    @Test func aFullCircleTakesItsCircumferenceOverTheFeedrate() {
        let analysis = analyze(["G92 X0 Y0", "G3 I10 J0 F600"])
        #expect(isClose(analysis.estimatedDuration.inSeconds, 2 * Double.pi))
    }

    @Test func feedrateOverrideAndExtruderOnlyMovesAreTimed() {
        #expect(analyze(["M220 S50", "G92 X0", "G1 X10 F600"]).estimatedDuration == .seconds(2))
        #expect(analyze(["M83", "G1 E-5 F300"]).estimatedDuration == .seconds(1))
    }

    @Test func dwellsCountAndHeatingWaitsDoNot() {
        #expect(analyze(["G4 P500", "G4 S1", "M109 S200", "M190 S60", "G28"]).estimatedDuration == .seconds(1.5))
    }

    // MARK: - Slicer estimates and temperatures

    @Test func theFirstM73RemainingTimeIsTheSlicersTotal() {
        #expect(analyze(["M73 P0 R62", "G1 X1", "M73 P50 R31"]).slicerEstimate == .seconds(62 * 60))
    }

    @Test func curaAndPrusaSlicerCommentsGiveTheSlicerEstimate() {
        #expect(analyze([";FLAVOR:Marlin", ";TIME:3723", ";TIME_ELAPSED:12.5"]).slicerEstimate == .seconds(3723))
        let prusa = analyze(["M73 P0 R62", "G1 X1", "; estimated printing time (normal mode) = 1d 2h 3m 4s\r"])
        #expect(prusa.slicerEstimate == .seconds(93_784))
        #expect(analyze(["  ; estimated printing time (normal mode) = 45m 12s"]).slicerEstimate == .seconds(2712))
        #expect(analyze(["G1 X1 ; TIME:55"]).slicerEstimate == nil)
    }

    @Test func maximumTargetsAndLineCountsAreReported() {
        let analysis = analyze(["; start", "", "M104 S200", "M109 S215", "M104 S0", "M140 S60 ; bed", "M190 S65"])
        #expect(analysis.maxHotendTargetCelsius == 215)
        #expect(analysis.maxBedTargetCelsius == 65)
        #expect(analysis.sourceLines == 7)
        #expect(analysis.commands == 5)
        #expect(analyze(["G28"]).maxHotendTargetCelsius == nil)
    }
}
