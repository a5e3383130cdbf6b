import PrintEdgeCore

/// udev property sets as `udevadm info --query=property` prints them for real boards
/// (serial numbers and paths varied per test), and the ports they describe.
enum RecordedUSBDevices {
    /// An Original Prusa i3 MK3 (Einsy RAMBo, cdc_acm) on a Raspberry Pi's USB hub.
    static func prusaMK3Properties(node: String = "ttyACM0", serial: String = "CZPX1234X004XK12345", socket: String = "1.3")
        -> [String: String]
    {
        [
            "DEVPATH": "/devices/platform/soc/3f980000.usb/usb1/1-1/1-\(socket)/1-\(socket):1.0/tty/\(node)",
            "DEVNAME": "/dev/\(node)",
            "MAJOR": "166",
            "MINOR": "0",
            "SUBSYSTEM": "tty",
            "ID_BUS": "usb",
            "ID_VENDOR_ID": "2c99",
            "ID_MODEL_ID": "0002",
            "ID_VENDOR": "Prusa_Research__prusa3d.com_",
            "ID_VENDOR_ENC": "Prusa\\x20Research\\x20\\x28prusa3d.com\\x29",
            "ID_MODEL": "Original_Prusa_i3_MK3",
            "ID_MODEL_ENC": "Original\\x20Prusa\\x20i3\\x20MK3",
            "ID_REVISION": "0130",
            "ID_SERIAL": "Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_\(serial)",
            "ID_SERIAL_SHORT": serial,
            "ID_TYPE": "generic",
            "ID_USB_INTERFACES": ":020201:0a0000:",
            "ID_USB_INTERFACE_NUM": "00",
            "ID_USB_DRIVER": "cdc_acm",
            "ID_PATH": "platform-3f980000.usb-usb-0:\(socket):1.0",
            "ID_MM_CANDIDATE": "1",
            "DEVLINKS":
                "/dev/serial/by-path/platform-3f980000.usb-usb-0:\(socket):1.0 /dev/serial/by-id/usb-Prusa_Research__prusa3d.com__Original_Prusa_i3_MK3_\(serial)-if00",
            "TAGS": ":systemd:",
        ]
    }

    /// A Creality board's CH340 (no manufacturer string, no serial number) behind ch341.
    static func ch340Properties(node: String = "ttyUSB0", socket: String = "1.2") -> [String: String] {
        [
            "DEVPATH": "/devices/platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb1/1-1/1-\(socket)/1-\(socket):1.0/\(node)/tty/\(node)",
            "DEVNAME": "/dev/\(node)",
            "SUBSYSTEM": "tty",
            "ID_BUS": "usb",
            "ID_VENDOR_ID": "1a86",
            "ID_MODEL_ID": "7523",
            "ID_VENDOR": "1a86",
            "ID_VENDOR_ENC": "1a86",
            "ID_MODEL": "USB2.0-Serial",
            "ID_MODEL_ENC": "USB2.0-Serial",
            "ID_REVISION": "0264",
            "ID_SERIAL": "1a86_USB2.0-Serial",
            "ID_USB_INTERFACE_NUM": "00",
            "ID_USB_DRIVER": "ch341",
            "DEVLINKS":
                "/dev/serial/by-path/platform-fd500000.pcie-pci-0000:01:00.0-usb-0:\(socket):1.0-port0 /dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0",
        ]
    }

    /// The Raspberry Pi's on-board UART: a tty with no USB device above it.
    static let onboardUARTProperties: [String: String] = [
        "DEVPATH": "/devices/platform/soc/3f201000.serial/tty/ttyAMA0",
        "DEVNAME": "/dev/ttyAMA0",
        "MAJOR": "204",
        "MINOR": "64",
        "SUBSYSTEM": "tty",
    ]

    static func prusaMK3(node: String = "ttyACM0", serial: String = "CZPX1234X004XK12345", socket: String = "1.3") -> USBSerialPort {
        port(prusaMK3Properties(node: node, serial: serial, socket: socket))
    }

    static func ch340(node: String = "ttyUSB0", socket: String = "1.2") -> USBSerialPort {
        port(ch340Properties(node: node, socket: socket))
    }

    private static func port(_ properties: [String: String]) -> USBSerialPort {
        guard let port = USBSerialPort(udevProperties: properties) else {
            preconditionFailure("recorded property set does not parse: \(properties)")
        }
        return port
    }
}
