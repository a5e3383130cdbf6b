import PrintEdgeCore

/// Each printer is bound by a name that stays its own: kernel names (`ttyUSB0`) follow plug
/// order, and boards that report no serial number (CH340 clones) all get one by-id name, so
/// the link names whichever was plugged in last. Such boards are told apart only by their
/// socket: the by-path link (Klipper's FAQ gives the same advice).
struct DeviceNameCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let twins = Self.sharedNames(context.ports)
        var findings: [DoctorFinding] = []
        var reported = Set<String>()
        for device in context.devices {
            if case .ambiguous(let fitting) = device.presence {
                let matches = fitting.compactMap { port in PortMatch.suggested(for: port, among: context.ports).map { "\(port.deviceNode): match = \($0.tomlInlineTable)" } }
                findings.append(DoctorFinding("device.names", subject: device.subject, .problem,
                                              "\(fitting.count) devices fit its \(device.configured) (\(fitting.map(\.deviceNode).joined(separator: ", "))): the daemon connects none",
                                              fix: "give it the match of its own board in its [[printer]]: " + matches.joined(separator: "; ")))
                continue
            }
            guard let port = device.usb else { continue }
            let configuredPath = device.configured.hasPrefix("port = ") ? String(device.configured.dropFirst(8).dropLast()) : nil
            if let twin = twins.first(where: { $0.contains(port) }) {
                reported.formUnion(twin.map(\.deviceNode))
                let byPath = port.byPathLinks.first
                let boundByName = configuredPath.map { $0.contains("/serial/by-id/") } ?? device.configured.contains("/serial/by-id/")
                guard boundByName else {
                    findings.append(DoctorFinding("device.names", subject: device.subject, .ok,
                                                  "bound by \(device.configured), which tells its board from \(twin.count - 1) other(s) with the same by-id name"))
                    continue
                }
                findings.append(DoctorFinding("device.names", subject: device.subject, .problem,
                                              "\(twin.count) boards share the by-id name \(Self.name(twin)): \(device.configured) names whichever was plugged in last",
                                              fix: byPath.map { "port = \"\($0)\"   # its USB socket; keep each board in its socket" }
                                                ?? "bind it by its USB socket's /dev/serial/by-path link (`printedge ports` lists them)"))
                continue
            }
            if let path = configuredPath, Self.isKernelName(path) {
                let stable = port.byIDLinks.first ?? port.byPathLinks.first
                findings.append(DoctorFinding("device.names", subject: device.subject, .warning,
                                              "\(device.configured) is a kernel name: it follows plug order and changes when the board is replugged",
                                              fix: stable.map { "port = \"\($0)\"" } ?? "use a match: `printedge ports` prints one for each board"))
            } else {
                findings.append(DoctorFinding("device.names", subject: device.subject, .ok, "bound by \(device.configured), a name only its board has"))
            }
        }
        for twin in twins where !twin.contains(where: { reported.contains($0.deviceNode) }) {
            findings.append(DoctorFinding("device.names", .warning,
                                          "\(twin.count) boards share the by-id name \(Self.name(twin)) (\(twin.map(\.deviceNode).joined(separator: ", "))): only its by-path link tells one from another",
                                          fix: "bind each printer by its by-path link: " + twin.compactMap { $0.byPathLinks.first }.joined(separator: ", ")))
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("device.names", .notApplicable,
                                          context.ports.isEmpty ? "no USB serial device is plugged in" : "no configured printer is on a USB device plugged in now"))
        }
        return findings
    }

    /// Boards udev would give one by-id name: the same ids and strings, no serial number
    /// (or the same one), the same interface (60-serial.rules names the link from these).
    static func sharedNames(_ ports: [USBSerialPort]) -> [[USBSerialPort]] {
        let groups = Dictionary(grouping: ports) { port in
            "\(port.usbID) \(port.manufacturer ?? "") \(port.product ?? "") \(port.serialNumber ?? "") \(port.interfaceNumber ?? -1) \(port.driver ?? "")"
        }
        return groups.values.filter { $0.count > 1 }.map { $0.sorted { $0.deviceNode < $1.deviceNode } }.sorted { $0[0].deviceNode < $1[0].deviceNode }
    }

    private static func name(_ twin: [USBSerialPort]) -> String {
        twin.lazy.compactMap { $0.byIDLinks.first }.first.map { String($0.split(separator: "/").last ?? "") } ?? "(\(twin[0].usbID))"
    }

    private static func isKernelName(_ path: String) -> Bool {
        path.hasPrefix("/dev/ttyUSB") || path.hasPrefix("/dev/ttyACM")
    }
}
