/// The printer's USB device is never suspended. The kernel leaves autosuspend off for all
/// but hubs because "many devices do not support it very well … especially prevalent among
/// printers" (its power-management documentation); tools such as TLP turn it on, and a
/// suspended USB-serial link drops or garbles bytes mid-job (linrunner/TLP#794).
struct USBAutosuspendCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for (device, port) in context.presentUSBDevices {
            guard let usbDevice = device.usbDevicePath, let control = context.tree.read(usbDevice + "/power/control") else {
                findings.append(DoctorFinding("device.autosuspend", subject: device.subject, .notApplicable,
                                              "\(port.deviceNode) has no power/control to read (its USB device was not found in /sys)"))
                continue
            }
            let name = usbDevice.split(separator: "/").last.map(String.init) ?? usbDevice
            guard control == "auto" else {
                findings.append(DoctorFinding("device.autosuspend", subject: device.subject, .ok,
                                              "USB device \(name) (\(port.usbID)) is never suspended (power/control = \(control))"))
                continue
            }
            let vendor = String(port.usbID.description.prefix(4))
            let product = String(port.usbID.description.suffix(4))
            let rule = "ACTION==\"add\", SUBSYSTEM==\"usb\", ATTR{idVendor}==\"\(vendor)\", ATTR{idProduct}==\"\(product)\", ATTR{power/control}=\"on\""
            findings.append(DoctorFinding(
                "device.autosuspend", subject: device.subject, .problem,
                "USB device \(name) (\(port.usbID)) may be suspended when idle (power/control = auto): the link can drop or garble bytes mid-job",
                fix: "echo on | sudo tee /sys/bus/usb/devices/\(name)/power/control && echo '\(rule)' | sudo tee -a /etc/udev/rules.d/50-printedge-power.rules"
                    + "   # and, if TLP is installed, add \(port.usbID) to USB_DENYLIST in /etc/tlp.conf"))
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("device.autosuspend", .notApplicable, "no printer's USB device is plugged in"))
        }
        return findings
    }
}
