import CGPIO
import Glibc

/// One GPIO chip: its identity, its lines, and requests for them.
///
/// Chips are best named by label (`pinctrl-rp1`): their numbers follow probe order and have
/// changed between kernels (a Raspberry Pi 5's header was gpiochip4, then gpiochip0), which
/// `GPIOChipDirectory` deals with.
public final class GPIOChip {
    public let device: any GPIOChipDevice
    /// The kernel's name, `gpiochip0`.
    public let name: String
    /// The driver's label, `pinctrl-rp1`; stable across kernels and boots.
    public let label: String
    public let lineCount: UInt32

    public init(device: any GPIOChipDevice) throws(GPIOError) {
        let info = try device.chipInfo()
        self.device = device
        self.name = GPIONameField.string(from: info.name)
        self.label = GPIONameField.string(from: info.label)
        self.lineCount = info.lines
    }

    /// Opens `/dev/gpiochipN`.
    public convenience init(path: String) throws(GPIOError) {
        try self.init(device: try LinuxGPIOChipDevice(path: path))
    }

    public var path: String { device.path }

    /// "gpiochip0 [pinctrl-rp1]", as gpiodetect prints it.
    public var title: String { label.isEmpty ? name : "\(name) [\(label)]" }

    public func lineInfo(offset: UInt32) throws(GPIOError) -> GPIOLineInfo {
        guard offset < lineCount else { throw .lineOutOfRange(chip: title, offset: offset, lineCount: lineCount) }
        return GPIOLineInfo(kernelInfo: try device.lineInfo(offset: offset))
    }

    /// Every line, in offset order.
    public func lines() throws(GPIOError) -> [GPIOLineInfo] {
        var lines: [GPIOLineInfo] = []
        lines.reserveCapacity(Int(lineCount))
        for offset in 0..<lineCount { lines.append(try lineInfo(offset: offset)) }
        return lines
    }

    /// The offset a reference names, checked against the chip.
    public func offset(of reference: GPIOLineReference) throws(GPIOError) -> UInt32 {
        switch reference {
        case .offset(let offset):
            guard offset < lineCount else { throw .lineOutOfRange(chip: title, offset: offset, lineCount: lineCount) }
            return offset
        case .name(let name):
            let lines = try lines()
            let matches = lines.filter { $0.name == name }
            guard matches.count <= 1 else {
                throw .ambiguousLineName(name: name, lines: matches.map { "line \($0.offset) on \(title)" })
            }
            if let line = matches.first { return line.offset }
            throw .lineNotFound(chip: title, name: name, suggestion: Self.suggestion(for: name, among: lines.map(\.name)))
        }
    }

    /// The name among `names` that `typed` most likely misspells, if one is a single edit away.
    static func suggestion(for typed: String, among names: [String]) -> String? {
        names.filter { !$0.isEmpty }
            .compactMap { candidate in typoRank(candidate, for: typed).map { (candidate, $0) } }
            .min { $0.1 < $1.1 }?.0
    }

    /// Requests the lines; they stay claimed until the returned request is released.
    ///
    /// When the kernel answers EBUSY, each line's info is read to say which one is held and
    /// by whom.
    public func request(_ configuration: GPIOLineRequestConfiguration) throws(GPIOError) -> GPIOLineRequest {
        for line in configuration.lines where line.offset >= lineCount {
            throw .lineOutOfRange(chip: title, offset: line.offset, lineCount: lineCount)
        }
        var request = try configuration.kernelRequest(chip: title)
        let requestDevice: any GPIOLineRequestDevice
        do {
            requestDevice = try device.requestLines(&request)
        } catch .system(_, _, let code) where code == EBUSY {
            throw busyLine(among: configuration.lines.map(\.offset)) ?? .system(operation: "GPIO_V2_GET_LINE_IOCTL", path: path, errno: code)
        } catch .system(_, _, let code) where code == EINVAL || code == EOPNOTSUPP || code == 524 {
            throw .rejectedByKernel(chip: title, request: configuration.description, errno: code)
        }
        return GPIOLineRequest(device: requestDevice, chip: title, lines: configuration.lines)
    }

    /// The first of `offsets` the kernel reports as used, as an error naming its consumer.
    private func busyLine(among offsets: [UInt32]) -> GPIOError? {
        for offset in offsets {
            guard let info = try? lineInfo(offset: offset), info.isUsed else { continue }
            return .lineBusy(chip: title, offset: offset, name: info.name, consumer: info.consumer)
        }
        return nil
    }

    /// How likely `candidate` is what was meant by `typed`, lower is likelier, `nil` when
    /// more than one edit apart: a different case, then two neighbours swapped (`GPIO71`
    /// for `GPIO17`), then one wrong character, then one character too many or too few.
    private static func typoRank(_ candidate: String, for typed: String) -> Int? {
        if candidate.lowercased() == typed.lowercased() { return 0 }
        let x = Array(candidate.lowercased()), y = Array(typed.lowercased())
        if x.count == y.count {
            let differences = x.indices.filter { x[$0] != y[$0] }
            if differences.count == 2, differences[1] == differences[0] + 1,
                x[differences[0]] == y[differences[1]], x[differences[1]] == y[differences[0]]
            {
                return 1
            }
            return differences.count == 1 ? 2 : nil
        }
        let (short, long) = x.count < y.count ? (x, y) : (y, x)
        guard long.count == short.count + 1 else { return nil }
        var index = 0
        while index < short.count && short[index] == long[index] { index += 1 }
        return short[index...] == long[(index + 1)...] ? 3 : nil
    }
}
