import Glibc
import PrintEdgeSerial
import PrintEdgeTestSupport
import Testing

@Suite("Opening a serial port fails with errors a user can act on")
struct SerialPortOpenErrorTests {
    @Test("a missing device is notFound and the message names the path and where to look")
    func missingDeviceIsNotFound() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("ttyACM9")
        let error = #expect(throws: SerialError.self) {
            try SerialPort(.init(path: path, baudRate: 115_200))
        }
        #expect(error == .notFound(path: path))
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("/dev/serial/by-id/") == true)
    }

    @Test("a regular file is notATerminal")
    func regularFileIsNotATerminal() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("printer.gcode")
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        close(fd)
        let error = #expect(throws: SerialError.self) {
            try SerialPort(.init(path: path, baudRate: 115_200))
        }
        #expect(error == .notATerminal(path: path))
        #expect(error?.description.contains(path) == true)
    }

    @Test("a character device that is not a tty is notATerminal")
    func devNullIsNotATerminal() {
        #expect(throws: SerialError.notATerminal(path: "/dev/null")) {
            try SerialPort(.init(path: "/dev/null", baudRate: 115_200))
        }
    }

    @Test("a second exclusive open of the same port is busy, naming the likely culprits")
    func secondExclusiveOpenIsBusy() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        let error = #expect(throws: SerialError.self) {
            try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        }
        #expect(error == .busy(path: pty.slavePath))
        #expect(error?.description.contains("OctoPrint") == true)
        first.close()
    }

    @Test("a non-exclusive open is not blocked by another non-exclusive one")
    func nonExclusiveOpensCoexist() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200, exclusive: false))
        let second = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200, exclusive: false))
        #expect(first.fileDescriptor != second.fileDescriptor)
    }

    @Test("a rate that cannot be a termios2 speed is unsupportedBaudRate", arguments: [0, -9600, 1 << 40])
    func impossibleRateIsUnsupported(baudRate: Int) throws {
        let pty = try PseudoTerminal()
        #expect(throws: SerialError.unsupportedBaudRate(path: pty.slavePath, baudRate: baudRate)) {
            try SerialPort(.init(path: pty.slavePath, baudRate: baudRate))
        }
    }

    @Test("a failed open leaves the port free for the next attempt")
    func failedOpenReleasesThePort() throws {
        let pty = try PseudoTerminal()
        #expect(throws: SerialError.self) {
            try SerialPort(.init(path: pty.slavePath, baudRate: 0))
        }
        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        #expect(port.fileDescriptor >= 0)
    }

    @Test("every error message names the path it is about", arguments: [
        SerialError.notFound(path: "/dev/ttyUSB7"),
        .permissionDenied(path: "/dev/ttyUSB7"),
        .busy(path: "/dev/ttyUSB7"),
        .notATerminal(path: "/dev/ttyUSB7"),
        .unsupportedBaudRate(path: "/dev/ttyUSB7", baudRate: 1_234_567),
        .disconnected(path: "/dev/ttyUSB7", reason: "read: Input/output error"),
        .pathOccupied(path: "/dev/ttyUSB7"),
        .system(operation: "ioctl(TCSETS2)", path: "/dev/ttyUSB7", errno: EIO),
    ])
    func messagesNameThePath(error: SerialError) {
        #expect(error.description.contains("/dev/ttyUSB7"))
    }

    @Test("permission errors tell the user about the dialout group")
    func permissionDeniedMentionsDialout() {
        #expect(SerialError.permissionDenied(path: "/dev/ttyUSB0").description.contains("dialout"))
    }
}
