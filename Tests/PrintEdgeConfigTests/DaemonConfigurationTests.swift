import Foundation
import PrintEdgeCore
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

@Suite struct DaemonConfigurationTests {
    /// Loads `text` as `printedge.toml` from a fresh directory, with the repository as the
    /// working directory so the default `hardware/profiles` is found.
    private func load(_ text: String, extraFiles: [String: String] = [:]) throws -> DaemonConfiguration {
        let directory = try TemporaryDirectory()
        for (name, contents) in extraFiles { try directory.write(name, contents) }
        let path = try directory.write("printedge.toml", text)
        return try DaemonConfiguration.load(path: path, workingDirectory: packageRoot)
    }

    /// The error loading `text` gives, and the path it was loaded from.
    private func failure(_ text: String, extraFiles: [String: String] = [:]) throws -> (error: ConfigurationError, path: String) {
        let directory = try TemporaryDirectory()
        for (name, contents) in extraFiles { try directory.write(name, contents) }
        let path = try directory.write("printedge.toml", text)
        return (try #require(configurationError { try DaemonConfiguration.load(path: path, workingDirectory: packageRoot) }), path)
    }

    private let simulatedPrinter = "[[printer]]\nid = \"sim\"\nvirtual = true\n"

    // MARK: - Defaults

    @Test func theExampleFileEqualsTheBuiltInConfiguration() throws {
        let example = try DaemonConfiguration.load(path: "\(packageRoot)/config/printedge.toml", workingDirectory: packageRoot)
        let builtIn = try DaemonConfiguration.builtIn(workingDirectory: packageRoot)
        #expect(example == builtIn)
        #expect(builtIn.printers.map(\.id) == ["sim"])
        #expect(builtIn.printers.first?.connection == .virtual(VirtualPrinterSettings(speedup: DaemonConfiguration.builtInSpeedup)))
        #expect(builtIn.printers.first?.profile.name == "printedge-sim")
        #expect(builtIn.stateDirectory == "printedge-state")
    }

    @Test func aGPIOPrinterTableMustNameAConfiguredPrinter() throws {
        let configuration = try load(simulatedPrinter + "[gpio]\nchip = \"c\"\n[[gpio.printer]]\nid = \"sim\"\ndoor = { line = 1 }\n")
        #expect(configuration.gpio?.printers.map(\.printerID) == ["sim"])
        let (error, _) = try failure(simulatedPrinter + "[gpio]\nchip = \"c\"\n[[gpio.printer]]\nid = \"mk4\"\ndoor = { line = 1 }\n")
        #expect(error.description.contains("mk4"))
    }

    @Test func aFileWithOnlyAPrinterTakesEveryDefault() throws {
        let configuration = try load(simulatedPrinter + "speedup = \(DaemonConfiguration.builtInSpeedup)\n")
        #expect(configuration == (try DaemonConfiguration.builtIn(workingDirectory: packageRoot)))
        #expect(configuration.controlSocketPath == "printedge-state/printedged.sock")
        #expect(configuration.spoolPath == "printedge-state/spool")
        #expect(configuration.telemetry == TelemetrySettings())
        #expect(configuration.retention.maxDatabaseBytes == 512 << 20)
    }

    @Test func everySectionIsDecoded() throws {
        let configuration = try load(
            """
            [daemon]
            state_directory = "/var/lib/printedge"
            control_socket = "/run/printedge/printedged.sock"
            socket_group = "printedge"
            spool_directory = "/var/spool/printedge"
            profile_directories = ["hardware/profiles"]

            [telemetry]
            sample_interval_printing_s = 0.5
            sample_interval_idle_s = 30
            temperature_report_interval_s = 2
            batch_max_rows = 50
            batch_max_age_s = 1.5

            [retention]
            max_telemetry_rows = 1_000
            max_database_mb = 64
            max_telemetry_age_days = 7

            [mqtt]
            host = "broker.local"
            port = 8883
            fleet = "workshop-1"
            client_id = "pi-1"
            username = "edge"
            password_file = "/etc/printedge/password"
            tls_ca_file = "/etc/ssl/ca.pem"
            tls_cert_file = "/etc/printedge/client.crt"
            tls_key_file = "/etc/printedge/client.key"
            keepalive_s = 60

            [gpio]
            chip = "pinctrl-bcm2835"

            [[printer]]
            id = "mk3s-1"
            name = "MK3S by the window"
            port = "/dev/serial/by-id/usb-Prusa-if00"
            profile = "prusa-mk3s"
            baud = 250000
            flow = "window"
            rx_buffer_bytes = 256
            command_slots = 8

            [[printer]]
            id = "sim"
            virtual = true
            speedup = 20
            simulator_path = "/opt/printedge-sim"
            simulator_arguments = ["--advanced-ok"]
            """)
        #expect(configuration.stateDirectory == "/var/lib/printedge")
        #expect(configuration.controlSocketPath == "/run/printedge/printedged.sock")
        #expect(configuration.socketGroup == "printedge")
        #expect(configuration.spoolPath == "/var/spool/printedge")
        #expect(configuration.profileDirectories == ["hardware/profiles"])
        #expect(
            configuration.telemetry
                == TelemetrySettings(
                    sampleIntervalPrinting: .milliseconds(500), sampleIntervalIdle: .seconds(30),
                    temperatureReportIntervalSeconds: 2, batchMaxRows: 50, batchMaxAge: .milliseconds(1500)))
        #expect(configuration.retention == RetentionSettings(maxTelemetryRows: 1000, maxDatabaseMegabytes: 64, maxTelemetryAgeDays: 7))
        #expect(
            configuration.mqtt
                == MQTTSettings(
                    host: "broker.local", port: 8883, fleet: "workshop-1", clientID: "pi-1", username: "edge",
                    passwordFile: "/etc/printedge/password", tlsCAFile: "/etc/ssl/ca.pem",
                    tlsCertificateFile: "/etc/printedge/client.crt", tlsKeyFile: "/etc/printedge/client.key",
                    keepAlive: .seconds(60)))
        #expect(configuration.gpio == GPIOSettings(chip: "pinctrl-bcm2835"))

        let prusa = try #require(configuration.printers.first)
        #expect(prusa.name == "MK3S by the window")
        #expect(prusa.connection == .port(path: "/dev/serial/by-id/usb-Prusa-if00"))
        #expect(prusa.profile.name == "prusa-mk3s")
        #expect(prusa.profile.baud == 250_000)
        #expect(prusa.profile.flow == .fixed(.window))
        #expect(prusa.profile.rxBufferBytes == 256)
        #expect(prusa.profile.commandSlots == 8)
        #expect(prusa.profile.buildVolume == BuildVolume(xMaxMM: 250, yMaxMM: 210, zMaxMM: 210))
        #expect(
            configuration.printers.last?.connection
                == .virtual(VirtualPrinterSettings(speedup: 20, simulatorPath: "/opt/printedge-sim", extraArguments: ["--advanced-ok"])))
    }

    @Test func aProfilePathIsFoundBesideTheConfigurationFile() throws {
        let profile = """
            [build_volume]
            x_max_mm = 300
            y_max_mm = 300
            z_max_mm = 400
            [temperatures]
            max_hotend_c = 285
            max_bed_c = 110
            """
        let configuration = try load(
            "[[printer]]\nid = \"big\"\nport = \"/dev/ttyUSB0\"\nprofile = \"profiles/big-one.toml\"\n",
            extraFiles: ["profiles/big-one.toml": profile])
        let printer = try #require(configuration.printers.first)
        #expect(printer.profile.name == "big-one")
        #expect(printer.profile.baud == PrinterProfile.defaultBaud)
        #expect(printer.profile.scripts == .defaults(for: BuildVolume(xMaxMM: 300, yMaxMM: 300, zMaxMM: 400)))
    }

    // MARK: - Mistakes

    @Test func anUnknownKeyNamesItsLineAndTheClosestKnownKey() throws {
        let (error, path) = try failure(simulatedPrinter + "speeedup = 2\n")
        #expect(error.kind == .unknownKey)
        #expect(error.key == "printer.speeedup")
        #expect(error.description == "\(path):4:1: unknown key `printer.speeedup` in printer `sim`; did you mean `speedup`?")
    }

    @Test func anUnknownKeyWithNothingCloseListsTheKnownKeys() throws {
        let (error, path) = try failure("[retention]\nkeep_forever = true\n" + simulatedPrinter)
        #expect(error.description.hasPrefix("\(path):2:1: unknown key `retention.keep_forever` in [retention]; the keys here are"))
        #expect(error.message.contains("`max_database_mb`"))
    }

    @Test func aMisspeltSectionIsReportedBeforeWhatItLacks() throws {
        let (error, path) = try failure("[telemetri]\nbatch_max_rows = 10\n")
        #expect(error.description == "\(path):1:2: unknown table [telemetri]; did you mean [telemetry]?")
        let (printers, _) = try failure("[[printers]]\nid = \"a\"\nvirtual = true\n")
        #expect(printers.message == "unknown table [[printers]]; did you mean [[printer]]?")
    }

    @Test func aValueOfTheWrongTypeNamesTheKeyAndBothTypes() throws {
        let (error, path) = try failure(simulatedPrinter + "baud = \"fast\"\n")
        #expect(error.kind == .wrongType)
        #expect(error.description == "\(path):4:8: key `printer.baud` must be an integer, found string")
        let (arguments, _) = try failure(simulatedPrinter + "simulator_arguments = [\"--seed\", 7]\n")
        #expect(arguments.position == SourcePosition(line: 4, column: 34))
        #expect(arguments.message == "key `printer.simulator_arguments` must be an array of strings, found an array holding a integer")
        let (table, _) = try failure("daemon = \"here\"\n" + simulatedPrinter)
        #expect(table.message == "key `daemon` must be a table ([daemon]), found string")
    }

    @Test func aMissingRequiredKeyNamesItsTable() throws {
        let (error, path) = try failure("[[printer]]\nvirtual = true\n")
        #expect(error.kind == .missingKey)
        #expect(error.key == "printer.id")
        #expect(error.description.hasPrefix("\(path):1:1: the [[printer]] at line 1 is missing the required key `id`"))
        let (misspelt, _) = try failure("[[printer]]\nidd = \"a\"\nvirtual = true\n")
        #expect(misspelt.message.hasSuffix("; `idd` at line 2 looks like a misspelling of it"))
    }

    @Test func aConfigurationWithoutPrintersSaysHowToAddOne() throws {
        let (error, path) = try failure("[daemon]\nstate_directory = \"s\"\n")
        #expect(error.kind == .missingKey)
        #expect(error.description.hasPrefix("\(path): no printer is configured: add a [[printer]] table"))
    }

    @Test func aDuplicateKeyIsASyntaxLevelMistakeWithBothLines() throws {
        let (error, path) = try failure(simulatedPrinter + "virtual = false\n")
        #expect(error.kind == .duplicateKey)
        #expect(error.description.hasPrefix("\(path):4:1: duplicate key `printer.virtual`: it is already defined at line 3, column 1"))
    }

    @Test func twoPrintersCannotShareAnID() throws {
        let (error, path) = try failure(simulatedPrinter + "\n" + simulatedPrinter)
        #expect(error.kind == .duplicateKey)
        #expect(error.key == "printer.id")
        #expect(error.description.hasPrefix("\(path):6:6: duplicate printer id \"sim\": the [[printer]] at line 1 has it too"))
    }

    @Test func twoPrintersCannotShareAPort() throws {
        let printer = { (id: String) in "[[printer]]\nid = \"\(id)\"\nport = \"/dev/ttyACM0\"\n" }
        let (error, path) = try failure(printer("a") + printer("b"))
        #expect(error.description.hasPrefix("\(path):6:8: printers `a` (line 1) and `b` both use port /dev/ttyACM0"))
    }

    @Test(arguments: ["Prusa", "mk3s 1", "-first", "", "a23456789012345678901234567890123", "é"])
    func aPrinterIDOutsideTheAllowedCharactersIsRejected(id: String) throws {
        let (error, path) = try failure("[[printer]]\nid = \"\(id)\"\nvirtual = true\n")
        #expect(error.kind == .invalidValue)
        #expect(error.description.hasPrefix("\(path):2:6: printer id \"\(id)\" must be 1 to 32 lowercase letters, digits"))
    }

    @Test(arguments: ["a", "mk3s-1", "ender_3", "0", "a2345678901234567890123456789012"])
    func aPrinterIDFromTheAllowedCharactersIsAccepted(id: String) {
        #expect(PrinterConfiguration.isValidID(id))
    }

    @Test func anUnterminatedStringStopsTheLoadAtItsQuote() throws {
        let (error, path) = try failure("[daemon]\nstate_directory = \"/var/lib/printedge\n" + simulatedPrinter)
        #expect(error.kind == .syntax)
        #expect(error.description.hasPrefix("\(path):2:19: unterminated string: add the closing \""))
    }

    @Test func aSyntaxErrorGivesTheColumnOfTheOffendingCharacter() throws {
        let (error, path) = try failure("[telemetry]\nbatch_max_rows = 200;\n" + simulatedPrinter)
        #expect(error.description.hasPrefix("\(path):2:21: expected the end of the line after the value, found `;`"))
    }

    @Test func anUnknownProfileListsTheDirectoriesSearchedAndTheProfilesFound() throws {
        let (error, path) = try failure("[[printer]]\nid = \"mk3\"\nport = \"/dev/ttyACM0\"\nprofile = \"prusa-mk3\"\n")
        #expect(error.kind == .unknownProfile)
        #expect(error.description.hasPrefix("\(path):4:11: unknown profile \"prusa-mk3\": no prusa-mk3.toml in "))
        let directory = path.dropLast("/printedge.toml".count)
        #expect(error.message.contains("\(directory)/hardware/profiles, \(packageRoot)/hardware/profiles, /usr/share/printedge/profiles"))
        #expect(error.message.contains("profiles found: creality-ender3, marlin-generic, printedge-sim, prusa-mk3s"))
        #expect(error.message.hasSuffix("did you mean \"prusa-mk3s\"?"))
    }

    @Test func aPrinterIsOnAPortOrVirtualNeverBoth() throws {
        let (both, path) = try failure("[[printer]]\nid = \"a\"\nport = \"/dev/ttyACM0\"\nvirtual = true\n")
        #expect(both.kind == .invalidValue)
        #expect(both.description.hasPrefix("\(path):4:11: printer `a` has both `port` and `virtual = true`"))
        let (neither, neitherPath) = try failure("[[printer]]\nid = \"a\"\nprofile = \"marlin-generic\"\n")
        #expect(neither.kind == .missingKey)
        #expect(neither.description.hasPrefix("\(neitherPath):1:1: printer `a` has no connection: add `port = "))
        let explicit = try load("[[printer]]\nid = \"a\"\nport = \"/dev/ttyACM0\"\nvirtual = false\n")
        #expect(explicit.printers.first?.connection == .port(path: "/dev/ttyACM0"))
        #expect(explicit.printers.first?.profile.name == PrinterConfiguration.defaultProfile)
    }

    @Test func simulatorSettingsOnAPortPrinterAreRejected() throws {
        let (error, path) = try failure("[[printer]]\nid = \"a\"\nport = \"/dev/ttyACM0\"\nspeedup = 10\n")
        #expect(error.description == "\(path):4:11: key `printer.speedup` applies to virtual printers only, and printer `a` is on port /dev/ttyACM0")
    }

    @Test(arguments: [
        ("[telemetry]\ntemperature_report_interval_s = 0\n", "key `telemetry.temperature_report_interval_s` must be within 1…60, found 0"),
        ("[telemetry]\nsample_interval_idle_s = -1\n", "key `telemetry.sample_interval_idle_s` must be a positive number, found -1.0"),
        ("[retention]\nmax_telemetry_rows = 0\n", "key `retention.max_telemetry_rows` must be at least 1, found 0"),
        ("[daemon]\nstate_directory = \"\"\n", "key `daemon.state_directory` must not be empty"),
    ])
    func anOutOfRangeNumberSaysTheAllowedRange(section: String, message: String) throws {
        let (error, path) = try failure(section + simulatedPrinter)
        #expect(error.kind == .invalidValue)
        #expect(error.description == "\(path):2:\(error.position?.column ?? 0): \(message)")
    }

    @Test func anOutOfRangeOverrideOnAPrinterIsRejected() throws {
        let (error, path) = try failure(simulatedPrinter + "baud = 0\n")
        #expect(error.description == "\(path):4:8: key `printer.baud` must be within 1…20000000, found 0")
        let (flow, _) = try failure(simulatedPrinter + "flow = \"windows\"\n")
        #expect(
            flow.message
                == "key `printer.flow` must be one of \"auto\", \"ping-pong\", \"window\", \"advanced-ok\", found \"windows\"; did you mean \"window\"?")
    }

    @Test func aControlSocketPathTooLongForUnixSocketsIsRejected() throws {
        let long = "/run/" + String(repeating: "x", count: 110)
        let (error, _) = try failure("[daemon]\ncontrol_socket = \"\(long)\"\n" + simulatedPrinter)
        #expect(error.message == "key `daemon.control_socket` is 115 bytes long; a Unix socket path holds at most 107")
    }

    @Test func aStateDirectoryTooLongForTheDefaultSocketPointsAtIt() throws {
        let long = "/var/lib/" + String(repeating: "s", count: 100)
        let (error, path) = try failure("[daemon]\nstate_directory = \"\(long)\"\n" + simulatedPrinter)
        #expect(error.description.hasPrefix("\(path):2:19: the control socket's default path \(long)/printedged.sock is 125 bytes long"))
        #expect(error.message.hasSuffix("set `daemon.control_socket` to a shorter path, or shorten `daemon.state_directory`"))
        let configuration = try load("[daemon]\nstate_directory = \"\(long)\"\ncontrol_socket = \"/run/printedge/printedged.sock\"\n" + simulatedPrinter)
        #expect(configuration.controlSocketPath == "/run/printedge/printedged.sock")
    }

    @Test func aPrinterCannotBeCalledAgentWithAFleetLink() throws {
        let agent = "[[printer]]\nid = \"agent\"\nvirtual = true\n"
        let (error, path) = try failure("[mqtt]\nhost = \"h\"\nfleet = \"farm\"\n" + agent)
        #expect(error.description.hasPrefix("\(path):5:6: printer id `agent` cannot be used with [mqtt]: printedge/v1/farm/agent/ holds the daemons' presence"))
        #expect(try load(agent).printers.map(\.id) == ["agent"], "without [mqtt] no topic is in the way")
    }

    @Test func theSourcePointsAtAKeyAtItsTableWhenDefaultedAndAtAPrinterByItsID() throws {
        let configuration = try load(
            "[daemon]\nsocket_group = \"g\"\n" + simulatedPrinter + "[[printer]]\nid = \"mk\"\nvirtual = true\nsimulator_path = \"/x\"\n")
        let source = configuration.source
        #expect(source.error(.unusablePath, key: "daemon.socket_group", "m").position == SourcePosition(line: 2, column: 16))
        #expect(source.error(.unusablePath, key: "daemon.spool_directory", "m").position == SourcePosition(line: 1, column: 1))
        #expect(source.error(.unusablePath, key: "mqtt.tls_ca_file", "m").position == nil)
        #expect(source.error(.unusablePath, key: "printer.simulator_path", printer: "mk", "m").position == SourcePosition(line: 9, column: 18))
        #expect(source.error(.unusablePath, key: "printer.virtual", printer: "sim", "m").position == SourcePosition(line: 5, column: 11))
        #expect(source.error(.unusablePath, key: "printer.virtual", printer: "sim", "m").key == "printer.virtual")
        let builtIn = try DaemonConfiguration.builtIn(workingDirectory: packageRoot)
        #expect(builtIn.source.error(.unusablePath, key: "daemon.state_directory", "m").description == "<built-in configuration>: m")
    }

    @Test func mqttSettingsAreCheckedNow() throws {
        let (host, path) = try failure("[mqtt]\nfleet = \"f\"\n" + simulatedPrinter)
        #expect(host.description.hasPrefix("\(path):1:1: [mqtt] is missing the required key `host`"))
        let (topic, _) = try failure("[mqtt]\nhost = \"h\"\nfleet = \"a/b\"\n" + simulatedPrinter)
        #expect(topic.message.contains("found \"/\" in \"a/b\""))
        let (tls, _) = try failure("[mqtt]\nhost = \"h\"\nfleet = \"f\"\ntls_cert_file = \"c\"\n" + simulatedPrinter)
        #expect(tls.position?.line == 4)
        #expect(tls.message.contains("go together"))
        let (password, _) = try failure("[mqtt]\nhost = \"h\"\nfleet = \"f\"\npassword_file = \"p\"\n" + simulatedPrinter)
        #expect(password.message.contains("needs `mqtt.username`"))
    }

    @Test func theConfigurationFileItselfMissingIsAnUnreadableFile() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.load(path: "/nonexistent/printedge.toml", workingDirectory: packageRoot)
        }
        #expect(error?.kind == .unreadableFile)
    }

    @Test func theBuiltInConfigurationRunsWhereNoProfileDirectoryExists() throws {
        let directory = try TemporaryDirectory()
        let builtIn = try DaemonConfiguration.builtIn(workingDirectory: directory.path)
        let profile = try #require(builtIn.printers.first?.profile)
        #expect(profile.file == "<built-in profile printedge-sim>")
        var fromFile = try DaemonConfiguration.builtIn(workingDirectory: packageRoot).printers.first?.profile
        fromFile?.file = profile.file
        #expect(profile == fromFile)
    }

    @Test func theCompiledInSimulatorProfileIsTheFileByteForByte() throws {
        let file = try String(contentsOfFile: "\(packageRoot)/hardware/profiles/printedge-sim.toml", encoding: .utf8)
        #expect(BuiltInProfiles.printedgeSim == file)
    }

    @Test func aProfileFileOfABuiltInNameWins() throws {
        let configuration = try load(simulatedPrinter, extraFiles: [:])
        #expect(configuration.printers.first?.profile.file == "\(packageRoot)/hardware/profiles/printedge-sim.toml")
    }
}
