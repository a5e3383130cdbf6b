/// A truecolour PNG (8-bit RGB, no interlace) written without a library: zlib's stored
/// (uncompressed) deflate blocks, CRC-32 per chunk, Adler-32 over the data. Mesh images are
/// a few hundred kilobytes uncompressed; not compressing them costs nothing that matters and
/// keeps the encoder a page long.
public enum PNGEncoder {
    /// `rgb` holds `width × height` pixels, 3 bytes each, row by row from the top.
    public static func encode(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0 && rgb.count == width * height * 3, "PNGEncoder: \(rgb.count) bytes for \(width)×\(height) pixels")
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        png += chunk("IHDR", header)
        // Each scanline starts with its filter type: 0, none.
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(height * (width * 3 + 1))
        for row in 0..<height {
            scanlines.append(0)
            scanlines += rgb[(row * width * 3)..<((row + 1) * width * 3)]
        }
        png += chunk("IDAT", zlibStored(scanlines))
        png += chunk("IEND", [])
        return png
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4), 65535 bytes at most each.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var stream: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window; FCHECK makes 0x7801 a multiple of 31
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let isFinal = offset + length == data.count
            stream.append(isFinal ? 1 : 0)  // BFINAL, BTYPE 00
            stream += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            stream += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        stream += bigEndian(PNGChecksums.adler32(data))
        return stream
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(PNGChecksums.crc32(typeBytes + data))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
