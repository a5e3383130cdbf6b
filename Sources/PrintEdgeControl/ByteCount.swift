/// Bytes for people: "512 MiB", "12.3 GiB".
public struct ByteCount: Sendable, Equatable, CustomStringConvertible {
    public let bytes: Int64

    public init(_ bytes: Int64) { self.bytes = bytes }

    public var description: String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(bytes) bytes" }
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) \(units[unit])" : "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
