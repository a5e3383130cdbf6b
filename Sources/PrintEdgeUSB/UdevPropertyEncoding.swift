/// udev's rules for turning USB strings into property values, reproduced so the sysfs
/// fallback writes exactly what udev would have (systemd `udev-builtin-usb_id.c`,
/// `device-nodes.c`, `udev-util.c`). Matching a printer by serial number must not depend on
/// whether udev is running.
enum UdevPropertyEncoding {
    /// `udev_util_encode_string` (`ID_VENDOR_ENC`): every ASCII byte that is not a letter,
    /// digit or one of `#+-.:=@_`, and every backslash, becomes `\xHH`; multi-byte UTF-8
    /// characters stay as they are.
    static func encode(_ text: String) -> String {
        var encoded = ""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 || (isAllowed(scalar) && scalar != "\\") {
                encoded.unicodeScalars.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16)
                encoded += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return encoded
    }

    /// `udev_replace_whitespace` then `udev_replace_chars(…, NULL)` (`ID_VENDOR`,
    /// `ID_SERIAL_SHORT`): leading and trailing whitespace dropped, each inner run of it
    /// becomes one `_`, and any other disallowed ASCII byte becomes `_` (`\x` escapes and
    /// multi-byte UTF-8 are kept).
    static func sanitize(_ text: String) -> String {
        var collapsed: [Unicode.Scalar] = []
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                pendingSpace = !collapsed.isEmpty
                continue
            }
            if pendingSpace { collapsed.append("_") }
            pendingSpace = false
            collapsed.append(scalar)
        }
        var result = ""
        var index = 0
        while index < collapsed.count {
            let scalar = collapsed[index]
            if scalar == "\\", index + 1 < collapsed.count, collapsed[index + 1] == "x" {
                result += "\\x"
                index += 2
                continue
            }
            result.unicodeScalars.append(scalar.value >= 0x80 || isAllowed(scalar) ? scalar : "_")
            index += 1
        }
        return result
    }

    /// udev drops a serial number holding a control byte, a byte above 0x7F or a comma
    /// (Microsoft's rule for USB serial numbers), rather than mangling it.
    static func isUsableSerialNumber(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7F && $0 != UInt8(ascii: ",") }
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "a"..."z", "A"..."Z", "#", "+", "-", ".", ":", "=", "@", "_": true
        default: false
        }
    }

    /// C `isspace` in the C locale.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D)
    }
}
