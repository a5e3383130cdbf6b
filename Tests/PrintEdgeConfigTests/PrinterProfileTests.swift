import PrintEdgeCalibration
import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

@Suite struct PrinterProfileTests {
    private let profileDirectory = "\(packageRoot)/hardware/profiles"

    private func profileError(_ text: String) throws -> (error: ConfigurationError, path: String) {
        let directory = try TemporaryDirectory()
        let path = try directory.write("custom.toml", text)
        let error = #expect(throws: ConfigurationError.self) { try PrinterProfile.load(path: path) }
        return (try #require(error), path)
    }

    private let volume = "[build_volume]\nx_max_mm = 200\ny_max_mm = 200\nz_max_mm = 200\n"
    private let temperatures = "[temperatures]\nmax_hotend_c = 260\nmax_bed_c = 100\n"

    @Test func everyShippedProfileLoads() throws {
        let files = DirectoryListing.names(in: profileDirectory).filter { $0.hasSuffix(".toml") }
        #expect(files == ["creality-ender3.toml", "marlin-generic.toml", "printedge-sim.toml", "prusa-mk3s.toml"])
        for file in files {
            let profile = try PrinterProfile.load(path: "\(profileDirectory)/\(file)")
            #expect(profile.name == ConfigurationFiles.stem(of: file))
            #expect(!profile.description.isEmpty)
            #expect(profile.maxLineBytes == LineFraming.marlinMaxLineBytes)
            #expect(profile.safeHotendCelsius == 50)
            #expect(!profile.scripts.pause.isEmpty && !profile.scripts.cancel.isEmpty)
        }
    }

    @Test func theShippedProfilesHoldTheirPrintersFacts() throws {
        let facts: [(name: String, baud: Int, volume: BuildVolume, hotend: Double, bed: Double)] = [
            ("marlin-generic", 115_200, BuildVolume(xMaxMM: 200, yMaxMM: 200, zMaxMM: 200), 260, 110),
            ("printedge-sim", 115_200, BuildVolume(xMaxMM: 220, yMaxMM: 220, zMaxMM: 250), 260, 140),
            ("prusa-mk3s", 115_200, BuildVolume(xMaxMM: 250, yMaxMM: 210, zMaxMM: 210), 300, 120),
            ("creality-ender3", 115_200, BuildVolume(xMaxMM: 235, yMaxMM: 235, zMaxMM: 250), 260, 100),
        ]
        for fact in facts {
            let profile = try PrinterProfile.load(path: "\(profileDirectory)/\(fact.name).toml")
            #expect(profile.baud == fact.baud, "\(fact.name)")
            #expect(profile.flow == .auto, "\(fact.name)")
            #expect(profile.rxBufferBytes == 128 && profile.commandSlots == 4, "\(fact.name)")
            #expect(profile.buildVolume == fact.volume, "\(fact.name)")
            #expect(profile.maxHotendCelsius == fact.hotend && profile.maxBedCelsius == fact.bed, "\(fact.name)")
        }
    }

    @Test func multiLineScriptsBecomeOneCommandPerElementWithoutComments() throws {
        let generic = try PrinterProfile.load(path: "\(profileDirectory)/marlin-generic.toml")
        #expect(generic.scripts.pause == ["G91", "G1 Z10 F600", "G90", "G1 X0 Y200 F6000"])
        #expect(generic.scripts.cancel == ["M104 S0", "M140 S0", "M106 S0", "G91", "G1 Z10 F600", "G90", "G1 X0 Y200 F6000", "M84 X Y E"])
        #expect(generic.scripts.start == [] && generic.scripts.resume == [])
        // The generic profile writes the defaults out, so the two cannot drift apart.
        #expect(generic.scripts == .defaults(for: generic.buildVolume))
        let prusa = try PrinterProfile.load(path: "\(profileDirectory)/prusa-mk3s.toml")
        #expect(prusa.scripts.pause == ["G91", "G1 Z20 F720", "G90", "G1 X50 Y190 F6000"])
    }

    @Test func defaultScriptsParkAtTheBuildVolumesFrontLeft() {
        let scripts = GCodeScripts.defaults(for: BuildVolume(xMinMM: -2.5, xMaxMM: 250, yMinMM: -4, yMaxMM: 212.5, zMaxMM: 210))
        #expect(scripts.pause.last == "G1 X-2.5 Y212.5 F6000")
        #expect(scripts.cancel.contains("G1 X-2.5 Y212.5 F6000"))
    }

    @Test func aScriptWrittenInAProfileReplacesOnlyThatScript() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "custom.toml", volume + temperatures + "[gcode]\nstart = \"\"\"\n  G28   ; home\n\n  G29\n\"\"\"\nresume = 'M117 Resumed'\n")
        let profile = try PrinterProfile.load(path: path)
        #expect(profile.scripts.start == ["G28", "G29"])
        #expect(profile.scripts.resume == ["M117 Resumed"])
        #expect(profile.scripts.pause == GCodeScripts.defaults(for: profile.buildVolume).pause)
    }

    @Test func aScriptLineTooLongForTheFirmwareIsRejected() throws {
        let long = "M117 " + String(repeating: "x", count: 100)
        let (error, path) = try profileError(volume + temperatures + "[gcode]\ncancel = \"\"\"\nM104 S0\n\(long)\n\"\"\"\n")
        #expect(error.kind == .invalidValue)
        #expect(error.description.hasPrefix("\(path):11:1: script `gcode.cancel`: command 'M117 xxx"))
        #expect(error.message.hasSuffix("is 111 bytes once framed for the printer, over its limit of 96 (max_line_bytes, Marlin's MAX_CMD_SIZE); shorten it"))
        let (inline, _) = try profileError(volume + temperatures + "[gcode]\nstart = \"G28 ; ok\"\nresume = \"M117 caf\u{E9}\"\n")
        #expect(inline.position == SourcePosition(line: 10, column: 19))
        #expect(inline.message.contains("byte 0xC3 is not printable ASCII"))
    }

    @Test func aProfileWithoutItsBuildVolumeNamesTheMissingTable() throws {
        let (error, path) = try profileError(temperatures)
        #expect(error.kind == .missingKey)
        #expect(error.description.hasPrefix("\(path): the table [build_volume] is missing; it needs the key `x_max_mm`"))
    }

    @Test func aBuildVolumeWhoseMaximumIsNotAboveItsMinimumIsRejected() throws {
        let (error, _) = try profileError("[build_volume]\nx_min_mm = 10\nx_max_mm = 5\ny_max_mm = 1\nz_max_mm = 1\n" + temperatures)
        #expect(error.position?.line == 3)
        #expect(error.message == "key `build_volume.x_max_mm` (5.0) must be greater than x_min_mm (10.0)")
    }

    @Test func aSafeTemperatureAtOrAboveTheMaximumIsRejected() throws {
        let (error, _) = try profileError(volume + temperatures + "safe_hotend_c = 300\n")
        #expect(error.message == "key `temperatures.safe_hotend_c` (300.0) must be below max_hotend_c (260.0)")
    }

    @Test func anUnknownKeyInAProfileNamesTheProfileFile() throws {
        let (error, path) = try profileError("buad = 250000\n" + volume + temperatures)
        #expect(error.description == "\(path):1:1: unknown key `buad` in the top level; did you mean `baud`?")
    }

    @Test func theCatalogListsProfilesFromEveryDirectoryOnce() throws {
        let directory = try TemporaryDirectory()
        try directory.write("mine/prusa-mk3s.toml", volume + temperatures)
        try directory.write("mine/voron.toml", volume + temperatures)
        var catalog = ProfileCatalog(
            directories: ["mine", profileDirectory], configurationDirectory: directory.path, workingDirectory: "/nonexistent")
        #expect(catalog.searchDirectories == ["\(directory.path)/mine", "/nonexistent/mine", profileDirectory])
        #expect(catalog.availableProfileNames() == ["creality-ender3", "marlin-generic", "printedge-sim", "prusa-mk3s", "voron"])
        // The first directory wins: the local prusa-mk3s shadows the shipped one.
        let prusa = try catalog.profile("prusa-mk3s", referencedIn: "test.toml", at: nil)
        #expect(prusa.file == "\(directory.path)/mine/prusa-mk3s.toml")
        #expect(prusa.maxHotendCelsius == 260)
    }
}

@Suite struct CalibrationProfileTests {
    private let head = "[build_volume]\nx_max_mm = 220\ny_max_mm = 220\nz_max_mm = 250\n[temperatures]\nmax_hotend_c = 260\nmax_bed_c = 100\n"

    private func load(_ text: String) throws -> PrinterProfile {
        let directory = try TemporaryDirectory()
        return try PrinterProfile.load(path: try directory.write("custom.toml", head + text))
    }

    private func failure(_ text: String) throws -> ConfigurationError {
        let error = #expect(throws: ConfigurationError.self) { try self.load(text) }
        return try #require(error)
    }

    @Test func theSimulatorsProfileDescribesItsBedAndScrews() throws {
        let profile = try PrinterProfile.load(path: "\(packageRoot)/hardware/profiles/printedge-sim.toml")
        let calibration = profile.calibration
        #expect(calibration.leveling == .bilinear)
        #expect(calibration.meshProbeCount == 5)
        #expect(calibration.meshBounds == MeshBounds(minimumXMM: 10, maximumXMM: 210, minimumYMM: 10, maximumYMM: 210))
        #expect(calibration.screws.map(\.name) == ["front left", "front right", "back right", "back left"])
        #expect(calibration.screws[2] == TrammingScrew(name: "back right", xMM: 180, yMM: 180))
        #expect(calibration.screwThread == .standard)
    }

    @Test func withoutTheTableNothingIsAssumed() throws {
        let calibration = try load("").calibration
        #expect(calibration == CalibrationProfile())
    }

    @Test func aThreadLevelingAndScrewsAreRead() throws {
        let calibration = try load("[calibration]\nleveling = \"ubl\"\nscrew_thread = \"CCW-M4\"\ntramming_tolerance_mm = 0.05\nzoffset_x_mm = 100\nzoffset_y_mm = 90\n"
                                   + "[[calibration.screw]]\nname = \"left\"\nx_mm = 30\ny_mm = 110\n[[calibration.screw]]\nname = \"right\"\nx_mm = 190\ny_mm = 110\n").calibration
        #expect(calibration.leveling == .unified)
        #expect(calibration.screwThread == ScrewThread(size: .m4, raisingDirection: .counterClockwise))
        #expect(calibration.trammingToleranceMM == 0.05)
        #expect(calibration.zOffsetXMM == 100 && calibration.zOffsetYMM == 90)
        #expect(calibration.screws.count == 2)
    }

    @Test func mistakesAreNamedWithTheirKey() throws {
        #expect(try failure("[calibration]\nleveling = \"bilinar\"\n").message.contains("did you mean \"bilinear\""))
        #expect(try failure("[calibration]\nscrew_thread = \"M3\"\n").message.contains("\"CW-M3\""))
        #expect(try failure("[calibration]\nmesh_x_min_mm = 10\n").message.contains("give all four corners"))
        #expect(try failure("[[calibration.screw]]\nname = \"a\"\nx_mm = 300\ny_mm = 10\n").message.contains("within the build volume's X 0.0…220.0 mm"))
        #expect(try failure("[[calibration.screw]]\nname = \"a\"\nx_mm = 10\n").message.contains("`y_mm`"))
        #expect(try failure("[calibration]\nzoffset_x_mm = 10\n").message.contains("give both zoffset_x_mm and zoffset_y_mm"))
        #expect(try failure("[calibration]\nscrews = 4\n").message.contains("screws"))
    }
}
