import Testing
@testable import PrintEdgeCore

@Suite struct FirmwareReplyTests {
    @Test func bareOk() {
        #expect(FirmwareReply(parsing: "ok") == .ok(OkReply()))
        #expect(FirmwareReply(parsing: "ok\r") == .ok(OkReply()))
    }

    @Test func okWithAdvancedFields() {
        #expect(FirmwareReply(parsing: "ok N123 P15 B3")
            == .ok(OkReply(lineNumber: 123, plannerBlocksFree: 15, commandSlotsFree: 3)))
        #expect(FirmwareReply(parsing: "ok P14 B2") == .ok(OkReply(plannerBlocksFree: 14, commandSlotsFree: 2)))
    }

    @Test func okWithTemperatures() throws {
        guard case .ok(let ok) = FirmwareReply(parsing: "ok T:210.00 /210.00 B:60.00 /60.00 @:127 B@:0") else {
            Issue.record("not an ok")
            return
        }
        let report = try #require(ok.temperatures)
        #expect(report.reading(.activeTool) == .init(heater: .activeTool, actualCelsius: 210, targetCelsius: 210))
        #expect(report.reading(.bed)?.actualCelsius == 60)
        #expect(report.power == ["@": 127, "B@": 0])
        #expect(ok.lineNumber == nil)
    }

    @Test func okFollowedByOtherTextIsNotConfusedWithOkay() {
        #expect(FirmwareReply(parsing: "okay then") == .other("okay then"))
    }

    @Test(arguments: [
        ("Resend: 12", 12), ("Resend:12", 12), ("Resend:N:12", 12), ("Resend: N12", 12),
        ("rs 7", 7), ("rs N7", 7), ("rs N2 Expected checksum 67", 2), ("RESEND: 9", 9),
    ])
    func resendVariants(line: String, number: Int) {
        #expect(FirmwareReply(parsing: line) == .resend(line: number))
    }

    @Test func resendWithoutNumberIsKeptAsText() {
        #expect(FirmwareReply(parsing: "Resend: ") == .other("Resend:"))
    }

    @Test func marlinLineErrors() {
        #expect(FirmwareReply(parsing: "Error:checksum mismatch, Last Line: 3") == .error(.checksumMismatch(lastLine: 3)))
        #expect(FirmwareReply(parsing: "Error:Line Number is not Last Line Number+1, Last Line: 1230")
            == .error(.lineNumber(lastLine: 1230)))
        #expect(FirmwareReply(parsing: "Error:No Checksum with line number, Last Line: 4") == .error(.missingChecksum(lastLine: 4)))
        #expect(FirmwareReply(parsing: "Error:No Line Number with checksum, Last Line: 4") == .error(.missingChecksum(lastLine: 4)))
    }

    @Test func fatalErrors() {
        #expect(FirmwareReply(parsing: "Error:Printer halted. kill() called!") == .error(.halted("Printer halted. kill() called!")))
        #expect(FirmwareReply(parsing: "Error:Thermal Runaway, system stopped! Heater_ID: 0")
            == .error(.thermal("Thermal Runaway, system stopped! Heater_ID: 0")))
        #expect(FirmwareReply(parsing: "Error:MINTEMP triggered, system stopped! Heater_ID: bed")
            == .error(.thermal("MINTEMP triggered, system stopped! Heater_ID: bed")))
        #expect(FirmwareReply(parsing: "Error:Printer stopped due to errors. Fix the error and use M999 to restart. (Temperature is reset. Set it after restarting)")
            .isStopped)
        #expect(FirmwareReply(parsing: "!! Out of range") == .error(.other("Out of range")))
    }

    @Test func busyKinds() {
        #expect(FirmwareReply(parsing: "echo:busy: processing") == .busy(.processing))
        #expect(FirmwareReply(parsing: "busy: processing") == .busy(.processing))
        #expect(FirmwareReply(parsing: "echo:busy: paused for user") == .busy(.pausedForUser))
        #expect(FirmwareReply(parsing: "echo:busy: paused for input") == .busy(.pausedForInput))
    }

    @Test func startAndWait() {
        #expect(FirmwareReply(parsing: "start") == .start)
        #expect(FirmwareReply(parsing: "wait") == .wait)
    }

    @Test func autoreportWithSeveralToolsBedAndChamber() throws {
        let reply = FirmwareReply(parsing: " T:201.30 /210.00 B:59.80 /60.00 T0:201.30 /210.00 T1:25.10 /0.00 C:35.20 /40.00 @:127 B@:64 @0:127 @1:0 W:?")
        guard case .temperature(let report) = reply else {
            Issue.record("not a temperature report: \(reply)")
            return
        }
        #expect(report.readings.count == 5)
        #expect(report.reading(.tool(1)) == .init(heater: .tool(1), actualCelsius: 25.1, targetCelsius: 0))
        #expect(report.reading(.chamber)?.targetCelsius == 40)
        #expect(report.power["@1"] == 0)
    }

    @Test func temperatureWithoutBlankBeforeTarget() throws {
        let report = try #require(TemperatureReport.parse("T:21.5/0.0 B:20.1/0.0"))
        #expect(report.reading(.activeTool)?.targetCelsius == 0)
        #expect(report.reading(.bed)?.actualCelsius == 20.1)
    }

    @Test func capabilities() {
        #expect(FirmwareReply(parsing: "Cap:ADVANCED_OK:1") == .capability(name: "ADVANCED_OK", enabled: true))
        #expect(FirmwareReply(parsing: "Cap:EEPROM:0") == .capability(name: "EEPROM", enabled: false))
    }

    @Test func firmwareIdentification() throws {
        let reply = FirmwareReply(parsing: "FIRMWARE_NAME:Marlin 2.1.2.5 (Jul  1 2023 12:00:00) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:Ender-3 V2 EXTRUDER_COUNT:1 UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff")
        guard case .firmwareInfo(let info) = reply else {
            Issue.record("not firmware info: \(reply)")
            return
        }
        #expect(info.firmwareName == "Marlin 2.1.2.5 (Jul  1 2023 12:00:00)")
        #expect(info.machineType == "Ender-3 V2")
        #expect(info.extruderCount == 1)
        #expect(info.fields["SOURCE_CODE_URL"] == "github.com/MarlinFirmware/Marlin")
    }

    @Test func hostActions() {
        #expect(FirmwareReply(parsing: "//action:pause") == .action(.pause))
        #expect(FirmwareReply(parsing: "//action:resume") == .action(.resume))
        #expect(FirmwareReply(parsing: "//action:cancel") == .action(.cancel))
        #expect(FirmwareReply(parsing: "//action:prompt_begin Filament runout") == .action(.other("prompt_begin Filament runout")))
    }

    @Test func unknownCommand() {
        #expect(FirmwareReply(parsing: "echo:Unknown command: \"M9999\"") == .unknownCommand("M9999"))
        #expect(FirmwareReply(parsing: "echo:Unknown command:\"24 G1 X1\"") == .unknownCommand("24 G1 X1"))
    }

    @Test func echoAndUnknownLinesAreKept() {
        #expect(FirmwareReply(parsing: "echo:SD card ok") == .echo("SD card ok"))
        #expect(FirmwareReply(parsing: "Marlin 2.1") == .other("Marlin 2.1"))
        #expect(FirmwareReply(parsing: "\u{FFFD}k") == .other("\u{FFFD}k"))
        #expect(FirmwareReply(parsing: "") == .other(""))
    }

    @Test func malformedRepliesNeverCrash() {
        for text in ["ok N", "ok Nx Py Bz", "Resend: 99999999999999999999999", "Error:", "Cap:", "Cap:X", "T:", "T:abc /",
                     "FIRMWARE_NAME:", "//action:", "echo:busy:", "rs", "ok T:", "B:", "\u{0}\u{1}"] {
            _ = FirmwareReply(parsing: text)
        }
        #expect(FirmwareReply(parsing: "ok Nx") == .ok(OkReply()))
    }
}

private extension FirmwareReply {
    var isStopped: Bool {
        if case .error(.stopped) = self { return true }
        return false
    }
}
