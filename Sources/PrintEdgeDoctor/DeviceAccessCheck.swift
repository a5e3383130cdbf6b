#if canImport(Glibc)
import Glibc
#endif

/// The daemon's user can open each printer's port and the GPIO chip: serial nodes are
/// `root:dialout` 0660 on Debian and Raspberry Pi OS (`uucp` on Arch), GPIO chips
/// `root:gpio` 0660 on Raspberry Pi OS and root's alone elsewhere. Judged from the node's
/// owner, group and mode against the daemon's credentials, as the kernel's open would.
struct DeviceAccessCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for device in context.devices {
            switch device.presence {
            case .absent:
                findings.append(DoctorFinding("device.access", subject: device.subject, .warning,
                                              "\(device.configured): no such device now (unplugged, or switched off?)",
                                              fix: "plug the printer in and switch it on; `printedge ports` lists what is plugged in"))
            case .ambiguous:
                continue
            case .present:
                guard let node = device.node else { continue }
                findings.append(access(node, subject: device.subject, what: "its port", context))
            }
        }
        if let gpio = context.configuration.gpio {
            let chip = gpio.chip
            let nodes = chip.hasPrefix("/") ? [chip] : context.tree.entries("/dev").filter { $0.hasPrefix("gpiochip") }.map { "/dev/\($0)" }
            if nodes.isEmpty {
                findings.append(DoctorFinding("device.access", subject: "gpio", .problem, "[gpio] names chip \(chip), but there is no /dev/gpiochip*",
                                              fix: "check the chip's name with `printedge gpio chips` and that the kernel has GPIO character devices"))
            }
            for node in nodes where context.tree.exists(node) || chip.hasPrefix("/") {
                findings.append(access(node, subject: "gpio", what: chip.hasPrefix("/") ? "the [gpio] chip" : "a GPIO chip ([gpio] chip \(chip) is one of them)", context))
            }
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("device.access", .notApplicable, "no printer on a serial port and no [gpio]: virtual printers only"))
        }
        return findings
    }

    private func access(_ node: String, subject: String, what: String, _ context: DoctorContext) -> DoctorFinding {
        guard let info = context.tree.status(node) else {
            return DoctorFinding("device.access", subject: subject, .problem, "\(node) (\(what)) does not exist",
                                 fix: "check the path in printedge.toml")
        }
        let owner = context.accounts.user(uid: UInt32(info.st_uid))?.name ?? String(info.st_uid)
        let group = context.accounts.groupName(UInt32(info.st_gid))
        let found = "\(node) is \(Self.modeText(info.st_mode)) \(owner):\(group)"
        let who = context.identity.user
        guard !context.identity.canReadWrite(info) else {
            return DoctorFinding("device.access", subject: subject, .ok, "\(found): \(who) can open \(what)")
        }
        // A group that may read and write it: join it. Otherwise only udev can open it up.
        let fix = info.st_mode & 0o060 == 0o060 && info.st_gid != 0
            ? context.joinGroupCommand(group)
            : (node.contains("gpiochip")
                ? "echo 'SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip*\", GROUP=\"gpio\", MODE=\"0660\"' | sudo tee /etc/udev/rules.d/60-printedge-gpio.rules && sudo groupadd -f gpio && sudo udevadm control --reload && sudo udevadm trigger --subsystem-match=gpio && \(context.joinGroupCommand("gpio"))"
                : DoctorContext.installUdevRules + " && " + context.joinGroupCommand("dialout"))
        return DoctorFinding("device.access", subject: subject, .problem, "\(found): \(who) cannot open \(what)", fix: fix)
    }

    /// `crw-rw----`.
    static func modeText(_ mode: mode_t) -> String {
        let kind: Character = switch mode & S_IFMT {
        case S_IFCHR: "c"
        case S_IFBLK: "b"
        case S_IFDIR: "d"
        case S_IFLNK: "l"
        default: "-"
        }
        let bits = Array("rwxrwxrwx")
        return String(kind) + String((0..<9).map { mode & (0o400 >> mode_t($0)) != 0 ? bits[$0] : "-" })
    }
}
