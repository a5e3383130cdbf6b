/// One direction of a UART link: 8N1 framing (10 bit times a byte), bytes back to back at
/// most, then a fixed one-way latency.
///
/// Byte times at common rates are fractions of a nanosecond (86 805.5… ns at 115 200
/// baud), so instants are computed from the start of each back-to-back burst rather than
/// by adding a rounded byte time: N bytes never arrive earlier than N·10/baud seconds after
/// the burst started, and rounding never accumulates.
struct PacedLink: Sendable {
    /// Bit rate; 10 bits per byte.
    let baud: Int64
    /// Nanoseconds added after a byte's last bit is sent.
    let latencyNanoseconds: Int64
    /// One byte's transmission time, rounded up.
    let byteNanoseconds: Int64

    private var burstStart: Int64 = .min
    private var burstBytes: Int64 = 0
    private var lineFreeAt: Int64 = .min

    private static let tenSecondsNanoseconds: Int64 = 10_000_000_000

    init(baud: Int, latencyNanoseconds: Int64) {
        self.baud = Int64(max(1, baud))
        self.latencyNanoseconds = max(0, latencyNanoseconds)
        byteNanoseconds = (PacedLink.tenSecondsNanoseconds + self.baud - 1) / self.baud
    }

    /// Schedules one byte that is ready to be sent at `instant`; returns when its last bit
    /// has left (before latency).
    mutating func schedule(readyAt instant: Int64) -> Int64 {
        if instant >= lineFreeAt {
            burstStart = instant
            burstBytes = 0
        }
        burstBytes += 1
        // ceil(burstBytes * 10 s / baud); burstBytes <= baud keeps this inside Int64.
        let end = burstStart + (burstBytes * PacedLink.tenSecondsNanoseconds + baud - 1) / baud
        if burstBytes == baud {
            // Exactly 10 s of bytes: rebase so the products stay small forever.
            burstStart += PacedLink.tenSecondsNanoseconds
            burstBytes = 0
        }
        lineFreeAt = end
        return end
    }

    /// When the last scheduled byte has left; the line is idle from then on.
    var lineIsBusyUntil: Int64 { lineFreeAt }
}
