/// hardware/99-printedge.rules is installed, and it marks each printer's board: it keeps
/// ModemManager away and opens the port to the daemon's group, but a generic USB-serial chip
/// (CH340, FTDI, CP210x, STM32) only when a line in its "Your printers" block names it.
struct UdevRulesCheck: DoctorCheck {
    static let locations = ["/etc/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"].map { $0 + "/99-printedge.rules" }

    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        guard !context.devices.isEmpty else {
            return [DoctorFinding("udev.rules", .notApplicable, "no printer on a serial port: virtual printers need no udev rules")]
        }
        guard let installed = Self.locations.first(where: { context.tree.read($0)?.contains("PRINTEDGE_PRINTER") == true }) else {
            return [DoctorFinding("udev.rules", .warning,
                                  "hardware/99-printedge.rules is not installed: ModemManager may probe the boards, and their ports stay root's unless the distribution opens them to dialout",
                                  fix: DoctorContext.installUdevRules)]
        }
        var findings: [DoctorFinding] = []
        for (device, port) in context.presentUSBDevices {
            guard let properties = context.udevProperties(of: port.deviceNode) else {
                findings.append(DoctorFinding("udev.rules", subject: device.subject, .ok,
                                              "\(installed) is installed; udev's database has no record of \(port.deviceNode) to tell whether they applied"))
                continue
            }
            guard properties["PRINTEDGE_PRINTER"] != "1" else {
                findings.append(DoctorFinding("udev.rules", subject: device.subject, .ok, "\(installed) marks \(port.deviceNode) as a printer"))
                continue
            }
            let key = properties["ID_SERIAL_SHORT"].map { "ENV{ID_SERIAL_SHORT}==\"\($0)\"" }
                ?? properties["ID_PATH"].map { "ENV{ID_PATH}==\"\($0)\"" }
                ?? "ENV{ID_VENDOR_ID}==\"\(String(port.usbID.description.prefix(4)))\", ENV{ID_MODEL_ID}==\"\(String(port.usbID.description.suffix(4)))\""
            findings.append(DoctorFinding(
                "udev.rules", subject: device.subject, .warning,
                "\(installed) does not mark \(port.deviceNode) (\(port.usbID)) as a printer: a generic USB-serial chip is marked only when named",
                fix: "add `\(key), ENV{PRINTEDGE_PRINTER}=\"1\", SYMLINK+=\"printedge/\(device.printerID)\"` to the \"Your printers\" block of \(installed), "
                    + "then: sudo udevadm control --reload && sudo udevadm trigger --subsystem-match=tty --action=add"))
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("udev.rules", .ok, "\(installed) is installed"))
        }
        return findings
    }
}
