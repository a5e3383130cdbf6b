import Glibc

/// Everything that can go wrong finding a GPIO chip, requesting its lines and driving them.
///
/// The messages end up in `printedge gpio` output, in the daemon's log and in fleet events,
/// read by someone at the bench with a screwdriver: each names the chip and the line, says
/// what happened, and what to do next.
public enum GPIOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No `gpiochip*` node in the device directory: no GPIO hardware, or a container that
    /// was not given the device.
    case noChips(directory: String)
    /// No chip carries this label; `available` describes the chips that do exist.
    case chipNotFound(label: String, available: [String])
    /// The device node does not exist (ENOENT).
    case chipMissing(path: String)
    /// The process may not open the node (EACCES).
    case permissionDenied(path: String)
    /// The node exists but does not answer GPIO ioctls (ENOTTY): not a GPIO chip.
    case notAChip(path: String)
    /// The line is held by another consumer (EBUSY); `consumer` is what the kernel reports
    /// for it, empty when the holder gave no name.
    case lineBusy(chip: String, offset: UInt32, name: String, consumer: String)
    /// No line of the chip has this name.
    case lineNotFound(chip: String, name: String, suggestion: String?)
    /// The chip has no line at this offset.
    case lineOutOfRange(chip: String, offset: UInt32, lineCount: UInt32)
    /// More than one line carries this name (device trees do not promise unique names);
    /// `lines` says where each is: "line 5 on gpiochip0 [pinctrl-rp1]".
    case ambiguousLineName(name: String, lines: [String])
    /// A line given by offset while several chips could hold it.
    case chipNeeded(line: String, chips: [String])
    /// The named lines are on different chips, and one request holds lines of one chip.
    case linesOnSeveralChips(name: String, chip: String, earlierChip: String)
    /// printedge refused to send the request: it is not valid uAPI v2 (too many lines,
    /// a consumer name too long, settings the kernel would reject).
    case invalidRequest(chip: String, request: String, reason: String)
    /// The kernel refused the request (EINVAL, EOPNOTSUPP/ENOTSUPP): usually a setting the
    /// chip's driver does not support.
    case rejectedByKernel(chip: String, request: String, errno: Int32)
    /// A value was written to a line requested as an input (EPERM).
    case notAnOutput(chip: String, offsets: [UInt32])
    /// The offset is not one of the request's lines.
    case lineNotInRequest(chip: String, offset: UInt32, requested: [UInt32])
    /// An edge event with an id uAPI v2 does not define.
    case unexpectedEvent(chip: String, id: UInt32, offset: UInt32)
    /// The request's descriptor reached end of file: the chip went away, or (in tests) the
    /// writing end of a pipe was closed.
    case eventsEnded(chip: String)
    /// Any other failing system call, with its errno.
    case system(operation: String, path: String, errno: Int32)

    /// The error for a failed open(2) of a chip's node.
    static func opening(_ path: String, errno code: Int32) -> GPIOError {
        switch code {
        case ENOENT, ENODEV, ENXIO: .chipMissing(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        default: .system(operation: "open", path: path, errno: code)
        }
    }

    public var description: String {
        switch self {
        case .noChips(let directory):
            return "no GPIO chip found under \(directory): there is no gpiochip* device node. On a Raspberry Pi the kernel "
                + "creates them at boot; in a container, pass the chip in (docker run --device /dev/gpiochip0); most PCs "
                + "have no GPIO header at all"
        case .chipNotFound(let label, let available):
            return "no GPIO chip labelled \"\(label)\"; the chips here are \(available.joined(separator: ", ")) — set "
                + "[gpio] chip to one of these labels (a Raspberry Pi 5's header is pinctrl-rp1, a Pi 4's pinctrl-bcm2711, "
                + "earlier Pis' pinctrl-bcm2835)"
        case .chipMissing(let path):
            return "\(path): no such GPIO chip — list the chips with `printedge gpio chips`, and prefer the chip's label "
                + "to its number (numbers change between kernels)"
        case .permissionDenied(let path):
            return "\(path): permission denied — add the daemon's user to the `gpio` group (Raspberry Pi OS: "
                + "`sudo usermod -aG gpio printedge`, then restart it), or elsewhere install a udev rule such as "
                + "SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip*\", GROUP=\"gpio\", MODE=\"0660\""
        case .notAChip(let path):
            return "\(path) is not a GPIO chip (it does not answer GPIO_GET_CHIPINFO_IOCTL) — name a /dev/gpiochipN "
                + "node or a chip label"
        case .lineBusy(let chip, let offset, let name, let consumer):
            let holder = consumer.isEmpty ? "a consumer that gave no name" : "\"\(consumer)\""
            return "line \(Self.describeLine(offset, name)) on \(chip) is used by \(holder) — a kernel driver (a "
                + "device-tree overlay) or another program holds it; free it, or wire to a line `printedge gpio lines` "
                + "shows as unused"
        case .lineNotFound(let chip, let name, let suggestion):
            let hint = suggestion.map { "; did you mean \"\($0)\"?" } ?? ""
            return "no line named \"\(name)\" on \(chip)\(hint) (`printedge gpio lines` lists the names; a line can also "
                + "be given by its offset)"
        case .lineOutOfRange(let chip, let offset, let lineCount):
            return "line \(offset) does not exist on \(chip), which has lines 0…\(Int(lineCount) - 1) — check the pin map "
                + "in hardware/gpio/ for the line offset of a header pin"
        case .ambiguousLineName(let name, let lines):
            return "the line name \"\(name)\" is not unique: \(lines.joined(separator: " and ")) carry it — name the line by "
                + "its chip and offset instead (`--chip` and the offset for `printedge gpio`; `chip` and `line = <offset>` in [gpio])"
        case .chipNeeded(let line, let chips):
            return "\(line) needs a chip: this machine has \(chips.count) GPIO chips (\(chips.joined(separator: ", "))) — add "
                + "`--chip` with one of their labels, or name the line (GPIO17) as `printedge gpio lines` shows it"
        case .linesOnSeveralChips(let name, let chip, let earlierChip):
            return "\"\(name)\" is on \(chip), the lines before it on \(earlierChip): one request holds lines of one chip — "
                + "name the lines of one chip at a time"
        case .invalidRequest(let chip, let request, let reason):
            return "cannot request \(request) on \(chip): \(reason)"
        case .rejectedByKernel(let chip, let request, let code):
            return "the kernel rejected the request for \(request) on \(chip): \(Self.describe(errno: code)) (errno \(code)) "
                + "— the chip's driver may not support one of these settings (bias and debounce are the usual ones); "
                + "try again without them"
        case .notAnOutput(let chip, let offsets):
            return "cannot set line\(offsets.count == 1 ? "" : "s") \(Self.list(offsets)) on \(chip): requested as an "
                + "input — request the line as an output to drive it"
        case .lineNotInRequest(let chip, let offset, let requested):
            return "line \(offset) on \(chip) is not part of this request, which holds line"
                + "\(requested.count == 1 ? "" : "s") \(Self.list(requested))"
        case .unexpectedEvent(let chip, let id, let offset):
            return "\(chip): an edge event with unknown id \(id) on line \(offset) — the kernel speaks a newer GPIO uAPI "
                + "than this printedge knows; update printedge"
        case .eventsEnded(let chip):
            return "\(chip): the line request's event stream ended — the chip was removed or its driver unbound"
        case .system(let operation, let path, let code):
            return "\(operation) on \(path) failed: \(Self.describe(errno: code)) (errno \(code))"
        }
    }

    static func describeLine(_ offset: UInt32, _ name: String) -> String {
        name.isEmpty ? "\(offset)" : "\(offset) (\(name))"
    }

    private static func list(_ offsets: [UInt32]) -> String {
        offsets.map(String.init).joined(separator: ", ")
    }

    static func describe(errno code: Int32) -> String {
        // ENOTSUPP (524) is kernel-internal and has no strerror text, yet gpiolib lets it
        // reach user space when a driver cannot set a bias or a debounce period.
        if code == 524 { return "operation not supported by the chip's driver" }
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
