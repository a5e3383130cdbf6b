import Foundation

/// A Raspberry Pi's supply holds up, and its firmware does not throttle the CPU: an
/// under-voltage browns out the USB ports first, and a printer's link with them.
///
/// Read without resetting anything. The kernel's `raspberrypi-hwmon` driver (hwmon name
/// `rpi_volt`) asks the firmware every 2 s, clearing its sticky bits, and keeps the answer:
/// `in0_lcrit_alarm` is 1 when an under-voltage happened in that window (the driver logs
/// "Undervoltage detected!" on each change, so the journal has the history). `vcgencmd
/// get_throttled`, run without an argument (an argument resets the "has occurred" bits),
/// adds the throttling bits: 0 under-voltage now, 1 frequency capped, 2 throttled, 3 soft
/// temperature limit; 16–19 the same since the last reset. The firmware driver's
/// `soc:firmware/get_throttled` file is not read: on the kernels that have it, reading it
/// either clears the sticky bits (the first version) or logs a "deprecated" warning with a
/// backtrace (later ones).
struct PowerSupplyCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let tree = context.tree
        guard let model = tree.read("/proc/device-tree/model")?.trimmingCharacters(in: CharacterSet(charactersIn: "\0")), model.contains("Raspberry Pi") else {
            let found = tree.read("/proc/device-tree/model").map { "\($0.trimmingCharacters(in: CharacterSet(charactersIn: "\0"))) is not a Raspberry Pi" }
                ?? "not a Raspberry Pi (no /proc/device-tree/model)"
            return [DoctorFinding("power.throttling", .notApplicable, found + ": its firmware's under-voltage flags do not exist here")]
        }
        let fix = "use the official supply (5.1 V, 3 A for a Pi 4, 5 A for a Pi 5) and a short, thick cable; power the printers' USB from their own supply; "
            + "`journalctl -k | grep -i voltage` lists every under-voltage since boot"
        var findings: [DoctorFinding] = []
        let hwmon = tree.entries("/sys/class/hwmon").map { "/sys/class/hwmon/\($0)" }.first { tree.read($0 + "/name") == "rpi_volt" }
        if let hwmon, let alarm = tree.read(hwmon + "/in0_lcrit_alarm") {
            findings.append(alarm == "1"
                ? DoctorFinding("power.throttling", subject: model, .problem, "the supply is too weak: the firmware reported an under-voltage within the last 2 s (\(hwmon)/in0_lcrit_alarm = 1)", fix: fix)
                : DoctorFinding("power.throttling", subject: model, .ok, "no under-voltage in the last 2 s (\(hwmon)/in0_lcrit_alarm = 0)"))
        }
        if let flags = throttledFlags(tree) {
            findings.append(Self.finding(flags, model: model, fix: fix, hwmonClearsHistory: hwmon != nil))
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("power.throttling", subject: model, .notApplicable,
                                          "neither the rpi_volt hwmon nor vcgencmd is here to read the firmware's flags (load raspberrypi-hwmon, or install vcgencmd)"))
        }
        return findings
    }

    static func finding(_ flags: UInt32, model: String, fix: String, hwmonClearsHistory: Bool) -> DoctorFinding {
        let names = ["under-voltage", "frequency capped", "throttled", "soft temperature limit"]
        let now = (0..<4).filter { flags & (1 << $0) != 0 }.map { names[$0] }
        let before = (0..<4).filter { flags & (1 << ($0 + 16)) != 0 }.map { names[$0] }
        let hex = "0x" + String(flags, radix: 16)
        if now.contains("under-voltage") {
            return DoctorFinding("power.throttling", subject: model, .problem, "vcgencmd get_throttled = \(hex): \(now.joined(separator: ", ")) now", fix: fix)
        }
        if !now.isEmpty {
            return DoctorFinding("power.throttling", subject: model, .warning, "vcgencmd get_throttled = \(hex): \(now.joined(separator: ", ")) now: the CPU is too hot",
                                 fix: "give the Pi a heatsink or a fan, and air around it")
        }
        if !before.isEmpty {
            let since = hwmonClearsHistory ? "in the last 2 s (raspberrypi-hwmon clears these bits as it polls)" : "since boot"
            return DoctorFinding("power.throttling", subject: model, .warning, "vcgencmd get_throttled = \(hex): \(before.joined(separator: ", ")) \(since)",
                                 fix: before.contains("under-voltage") ? fix : "give the Pi a heatsink or a fan, and air around it")
        }
        return DoctorFinding("power.throttling", subject: model, .ok, "vcgencmd get_throttled = \(hex): never throttled")
    }

    /// `throttled=0x50005` from the tree's `vcgencmd get_throttled`, run without argument.
    private func throttledFlags(_ tree: HostTree) -> UInt32? {
        guard let path = ["/usr/bin/vcgencmd", "/opt/vc/bin/vcgencmd"].map(tree.real).first(where: { access($0, X_OK) == 0 }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["get_throttled"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        // A hang guard: vcgencmd answers at once, or waits on a firmware that does not.
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0, let range = text.range(of: "throttled=0x") else { return nil }
        return UInt32(text[range.upperBound...].prefix { $0.isHexDigit }, radix: 16)
    }
}
