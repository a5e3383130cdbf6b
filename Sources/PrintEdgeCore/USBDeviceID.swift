/// A USB device's vendor and product id, written as `lsusb` and udev write them:
/// `2c99:0002`, four lowercase hex digits each.
///
/// The pair names a board model (every Original Prusa MK3 is `2c99:0002`), not one
/// printer: two identical printers share it and are told apart by serial number or by
/// the USB port they are plugged into.
public struct USBDeviceID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var vendorID: UInt16
    public var productID: UInt16

    public init(vendorID: UInt16, productID: UInt16) {
        self.vendorID = vendorID
        self.productID = productID
    }

    /// Parses `vvvv:pppp` (hex, either case); `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let vendor = Self.hexID(parts[0]), let product = Self.hexID(parts[1]) else { return nil }
        self.init(vendorID: vendor, productID: product)
    }

    /// One id as udev's `ID_VENDOR_ID` or sysfs `idVendor` hold it: exactly four hex digits.
    public static func hexID(_ text: Substring) -> UInt16? {
        guard text.utf8.count == 4, text.allSatisfy(\.isHexDigit) else { return nil }
        return UInt16(text, radix: 16)
    }

    public var description: String { "\(Self.hex(vendorID)):\(Self.hex(productID))" }

    /// Four lowercase hex digits, zero-padded.
    public static func hex(_ id: UInt16) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    public static func < (lhs: USBDeviceID, rhs: USBDeviceID) -> Bool {
        (lhs.vendorID, lhs.productID) < (rhs.vendorID, rhs.productID)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = USBDeviceID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a USB id such as \"2c99:0002\", found \"\(text)\"")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
