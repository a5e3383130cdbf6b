extension USBSerialPort {
    /// Reads the port from a udev property set, as `udevadm info --query=property` prints
    /// it, or as the sysfs fallback synthesises it in the same vocabulary.
    ///
    /// Relies on udev's `usb_id` builtin (systemd `udev-builtin-usb_id.c`): `ID_VENDOR_ID`
    /// and `ID_MODEL_ID` from the USB device's `idVendor`/`idProduct`, the strings in
    /// `ID_VENDOR_ENC`/`ID_MODEL_ENC` with unsafe bytes written `\x20`, the id itself
    /// standing in for a missing string, `ID_SERIAL_SHORT`, `ID_USB_DRIVER`,
    /// `ID_USB_INTERFACE_NUM` (hex), and `DEVLINKS` (space-separated). systemd 252 and
    /// later also set `ID_USB_*` twins that other rules cannot overwrite; they win when
    /// present.
    ///
    /// - Returns: `nil` when the set does not describe a USB serial device (no device
    ///   node, no USB ids, or another bus): such a tty is not a printer candidate.
    public init?(udevProperties properties: [String: String]) {
        func value(_ key: String) -> String? {
            let text = properties["ID_USB_\(key)"] ?? properties["ID_\(key)"]
            return text?.isEmpty == false ? text : nil
        }
        guard let deviceNode = properties["DEVNAME"], !deviceNode.isEmpty else { return nil }
        if let bus = properties["ID_BUS"], bus != "usb" { return nil }
        guard let vendorText = value("VENDOR_ID"), let vendorID = USBDeviceID.hexID(Substring(vendorText)),
            let productText = value("MODEL_ID"), let productID = USBDeviceID.hexID(Substring(productText))
        else { return nil }

        /// udev writes the id when the device has no string: that is not a name.
        func name(_ key: String, standIn: String) -> String? {
            let raw = value("\(key)_ENC").map(Self.decodingUdevEscapes) ?? value(key)
            guard let text = raw?.trimmingSpaces, !text.isEmpty, text.lowercased() != standIn.lowercased() else { return nil }
            return text
        }
        let links = (properties["DEVLINKS"] ?? "").split(separator: " ").map(String.init).sorted()
        self.init(
            deviceNode: deviceNode,
            byIDLinks: links.filter { $0.contains("/serial/by-id/") },
            byPathLinks: links.filter { $0.contains("/serial/by-path/") },
            usbID: USBDeviceID(vendorID: vendorID, productID: productID),
            manufacturer: name("VENDOR", standIn: vendorText),
            product: name("MODEL", standIn: productText),
            serialNumber: value("SERIAL_SHORT"),
            driver: properties["ID_USB_DRIVER"].flatMap { $0.isEmpty ? nil : $0 },
            interfaceNumber: properties["ID_USB_INTERFACE_NUM"].flatMap { Int($0, radix: 16) },
            sysfsDevicePath: properties["DEVPATH"] ?? "")
    }

    /// Undoes udev's `udev_util_encode_string`: each `\xHH` becomes the byte it stands
    /// for; the bytes are then read as UTF-8 (invalid sequences become U+FFFD).
    public static func decodingUdevEscapes(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "x"),
                let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3])
            {
                decoded.append(high << 4 | low)
                index += 4
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (USB strings from cheap
    /// boards often carry padding).
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
