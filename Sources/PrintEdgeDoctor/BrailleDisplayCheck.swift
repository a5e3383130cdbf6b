import PrintEdgeCore

/// brltty, the braille display daemon, takes USB-serial adapters its udev rules list as
/// braille displays — CH340/CH341, CP210x and FTDI chips among them, the chips of most
/// budget printer boards — a moment after they appear: the kernel logs "interface 0 claimed
/// by ch341 while 'brltty' sets config" and the ttyUSB node goes away (Ubuntu 22.04's brltty
/// 6.4; brltty 6.5 split those rules out, Debian ships none). Its rules say
/// `ENV{PRODUCT}=="1a86/7523/*"`: udev's PRODUCT is vendor/product/release in hex, without
/// leading zeros.
struct BrailleDisplayCheck: DoctorCheck {
    /// USB-serial chips that printer boards use and brltty's rules have listed.
    static let adapters: [(id: String, name: String)] = [
        ("1a86:7523", "CH340"), ("1a86:5523", "CH341"), ("10c4:ea60", "CP210x"), ("0403:6001", "FT232R"), ("0403:6015", "FT231X"),
    ]
    static let ruleDirectories = ["/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"]

    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let tree = context.tree
        let installed = ["/usr/bin/brltty", "/bin/brltty"].contains(where: tree.exists)
        var claims: [(file: String, name: String, ids: Set<String>)] = []
        var masked: [String] = []
        var seen = Set<String>()
        for directory in Self.ruleDirectories {
            for name in tree.entries(directory) where name.contains("brltty") && name.hasSuffix(".rules") && !seen.contains(name) {
                seen.insert(name)
                let file = "\(directory)/\(name)"
                // A file of the same name earlier in udev's search hides it; /dev/null masks it.
                if tree.linkTarget(file) == "/dev/null" || tree.read(file)?.isEmpty ?? true {
                    masked.append(file)
                    continue
                }
                claims.append((file, name, Self.claimedIDs(tree.read(file, maxBytes: 1 << 20) ?? "")))
            }
        }
        let claimed = claims.reduce(into: Set<String>()) { $0.formUnion($1.ids) }
        let generic = Self.adapters.filter { claimed.contains($0.id) }
        let running = !context.processes.named("brltty").isEmpty
        guard !generic.isEmpty, let rules = claims.first(where: { !$0.ids.isDisjoint(with: generic.map(\.id)) }) else {
            let state = installed ? (running ? "brltty runs" : "brltty is installed") : "brltty is not installed"
            let why = !masked.isEmpty ? "its rules are masked (\(masked.joined(separator: ", ")))"
                : claims.isEmpty ? "no udev rules start it" : "its udev rules list no USB-serial chip printer boards use"
            return [DoctorFinding("brltty", installed || !claims.isEmpty ? .ok : .notApplicable, "\(state); \(why)")]
        }
        let fix = "sudo apt remove brltty   # or, to keep it for a braille display: sudo ln -s /dev/null /etc/udev/rules.d/\(rules.name) && sudo udevadm control --reload-rules"
        let chips = generic.map { "\($0.name) (\($0.id))" }.joined(separator: ", ")
        let taken = context.ports.filter { claimed.contains($0.usbID.description) }
        let printers = context.presentUSBDevices.filter { claimed.contains($0.port.usbID.description) }.map(\.device.printerID)
        guard taken.isEmpty else {
            let whose = printers.isEmpty ? "" : " (printer \(printers.joined(separator: ", ")))"
            return [DoctorFinding("brltty", .problem,
                                  "brltty's udev rules (\(rules.file)) claim \(chips) as braille displays, and \(taken.map(\.deviceNode).joined(separator: ", "))\(whose) is one: brltty takes it from the serial driver",
                                  fix: fix)]
        }
        return [DoctorFinding("brltty", .warning,
                              "brltty's udev rules (\(rules.file)) claim \(chips) as braille displays: a board with one of these chips loses its port when plugged in",
                              fix: fix)]
    }

    /// `vvvv:pppp` of every `ENV{PRODUCT}=="v/p/…"` in a rules file, outside comments.
    static func claimedIDs(_ rules: String) -> Set<String> {
        var ids = Set<String>()
        for line in rules.split(separator: "\n") where !line.trimmingBlanks().hasPrefix("#") {
            var rest = Substring(line)
            while let range = rest.range(of: "ENV{PRODUCT}==\"") {
                rest = rest[range.upperBound...]
                let parts = rest.prefix { $0 != "\"" }.split(separator: "/")
                if parts.count >= 2, let vendor = UInt16(parts[0], radix: 16), let product = UInt16(parts[1], radix: 16) {
                    ids.insert(USBDeviceID(vendorID: vendor, productID: product).description)
                }
            }
        }
        return ids
    }
}
