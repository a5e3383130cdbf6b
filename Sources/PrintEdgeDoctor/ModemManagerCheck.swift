/// ModemManager probes new serial ports with AT commands, which Marlin reads as bad G-code,
/// and holds the port for seconds meanwhile; a board that resets when its port opens
/// restarts. Klipper's FAQ names it for random "lost communication". It leaves a device
/// alone when udev tagged it `ID_MM_DEVICE_IGNORE=1`, as hardware/99-printedge.rules does;
/// CDC-ACM boards (ttyACM: Prusa, STM32, LPC176x) are what it probes first.
struct ModemManagerCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let running = context.processes.named("ModemManager")
        let enabled = context.tree.exists("/etc/systemd/system/multi-user.target.wants/ModemManager.service")
        guard !running.isEmpty || enabled else {
            return [DoctorFinding("modemmanager", .ok, "ModemManager is not running" + (enabled ? "" : " and not enabled"))]
        }
        let state = running.isEmpty ? "ModemManager is enabled (it runs at the next boot)" : "ModemManager runs (pid \(running[0].pid))"
        let fix = DoctorContext.installUdevRules + "   # or, with no modem on this host: sudo systemctl disable --now ModemManager"
        var findings: [DoctorFinding] = []
        for (device, port) in context.presentUSBDevices {
            guard let properties = context.udevProperties(of: port.deviceNode) else {
                findings.append(DoctorFinding("modemmanager", subject: device.subject, .warning,
                                              "\(state), and udev's database has no record of \(port.deviceNode): whether ModemManager leaves it alone cannot be told",
                                              fix: fix))
                continue
            }
            if properties["ID_MM_DEVICE_IGNORE"] == "1" {
                findings.append(DoctorFinding("modemmanager", subject: device.subject, .ok, "\(state), and leaves \(port.deviceNode) alone (ID_MM_DEVICE_IGNORE=1)"))
            } else {
                let acm = port.driver == "cdc_acm"
                findings.append(DoctorFinding("modemmanager", subject: device.subject, acm ? .problem : .warning,
                                              "\(state), and \(port.deviceNode) is not marked ID_MM_DEVICE_IGNORE=1: "
                                                  + (acm ? "it probes a CDC-ACM port like this one with AT commands" : "it may probe it"),
                                              fix: fix))
            }
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("modemmanager", .warning, "\(state): it probes every new serial port unless udev marks it ID_MM_DEVICE_IGNORE=1",
                                          fix: fix))
        }
        return findings
    }
}
