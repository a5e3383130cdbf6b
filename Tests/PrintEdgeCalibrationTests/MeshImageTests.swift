import Foundation
import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeCalibration

@Suite struct MeshImageTests {
    /// 3×2, with coordinates: lowest −0.15 at the back left, highest +0.25 at the front right.
    private let mesh = BedMesh(source: .bilinear, rows: [[0.0, 0.1, 0.25], [-0.15, nil, 0.05]], columnXMM: [20, 117.5, 215], rowYMM: [20, 215], decimals: 3)

    @Test func theFixedScaleIsWhiteAtZeroAndSaturatesAtItsLimit() {
        let scale = MeshColourScale()
        #expect(scale.limitMM == 0.2)
        #expect(!scale.isAutomatic)
        #expect(scale.colour(for: 0) == RGBColour(247, 247, 247))
        #expect(scale.colour(for: 0.2) == RGBColour(103, 0, 31))
        #expect(scale.colour(for: 5) == RGBColour(103, 0, 31))
        #expect(scale.colour(for: -0.2) == RGBColour(5, 48, 97))
        #expect(scale.colour(for: 0.1) == RGBColour(214, 96, 77))
        // A typical good bed (±0.05 mm) stays pale: each channel within 60 of white.
        let pale = scale.colour(for: 0.05)
        #expect(Int(pale.red) > 187 && Int(pale.green) > 140 && Int(pale.blue) > 130)
    }

    @Test func theAutomaticScaleStretchesToTheMeshAndSaysSo() {
        let scale = MeshColourScale(choice: .automatic, mesh: mesh)
        #expect(abs(scale.limitMM - 0.25) < 1e-12)
        #expect(scale.isAutomatic)
        #expect(scale.legend.contains("scaled to this mesh (auto)"))
        #expect(MeshColourScale.Choice(text: "auto") == .automatic)
        #expect(MeshColourScale.Choice(text: "0.3") == .fixed(limitMM: 0.3))
        #expect(MeshColourScale.Choice(text: "-1") == nil)
        #expect(MeshColourScale.Choice(text: "big") == nil)
    }

    @Test func theTerminalTableIsATopViewWithTheMeshsCoordinates() {
        let lines = MeshTerminalHeatmap.render(mesh, scale: MeshColourScale(), colour: false, summary: false)
        #expect(lines == [
            "           20.0   117.5   215.0  X mm",
            "Y 215.0  -0.150      --  +0.050 ",
            "Y  20.0  +0.000  +0.100  +0.250 ",
            "        (top view: the back of the bed at the top, its front at the bottom; -- not probed)",
            "        colours: blue -0.20 mm (low) ... white 0 ... red +0.20 mm (high), fixed scale",
        ])
    }

    @Test func colourIsOnlyThereWhenAskedFor() {
        let coloured = MeshTerminalHeatmap.render(mesh, scale: MeshColourScale(), colour: true)
        // The highest cell (+0.250, beyond +0.2) on the deepest red with white text.
        #expect(coloured[2].contains("\u{1B}[38;2;255;255;255m\u{1B}[48;2;103;0;31m +0.250 \u{1B}[0m"))
        #expect(coloured.contains { $0.contains("-0.20 mm \u{1B}[48;2;5;48;97m") })
        let plain = MeshTerminalHeatmap.render(mesh, scale: MeshColourScale(), colour: false)
        #expect(!plain.joined().contains("\u{1B}"))
        #expect(plain.contains("lowest -0.150 mm at the back left (X 20.0 Y 215.0)"))
    }

    @Test func theSVGHasTheCellsAxesExtremesAndLegend() {
        let svg = MeshSVGImage.render(mesh, scale: MeshColourScale(), title: "Bed mesh <p1>")
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("Bed mesh &lt;p1&gt;"))
        // The highest (front right) cell at the bottom right, in the scale's colour.
        #expect(svg.contains("<rect x=\"218\" y=\"134\" width=\"64\" height=\"64\" fill=\"#67001f\""))
        #expect(svg.contains(">117.5</text>"))
        #expect(svg.contains(">215.0</text>"))
        #expect(svg.contains("X (mm), front of the bed at the bottom"))
        #expect(svg.contains("highest +0.250 mm at the front right (X 215.0 Y 20.0), solid outline"))
        #expect(svg.contains("lowest -0.150 mm at the back left (X 20.0 Y 215.0), dashed outline"))
        #expect(svg.contains("+0.20 mm (high)"))
        #expect(svg.contains("fixed colour scale ±0.20 mm"))
    }

    @Test func checksumsMatchTheirStandardTestVectors() {
        #expect(PNGChecksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGChecksums.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        // Long input crosses Adler-32's 5552-byte reduction boundary.
        #expect(PNGChecksums.adler32([UInt8](repeating: 255, count: 100_000)) == 0x149A_302C)
    }

    @Test func aZlibStreamLongerThanOneStoredBlockSplits() {
        let stream = PNGEncoder.zlibStored([UInt8](repeating: 7, count: 70_000))
        // Header, two block headers of 5 bytes, the data, Adler-32.
        #expect(stream.count == 2 + 5 + 65535 + 5 + 4465 + 4)
        #expect(stream[2] == 0)
        #expect(stream[2 + 5 + 65535] == 1)
    }

    @Test func thePNGDecodesWithZlibAndHasTheScalesColoursAtTheExtremes() async throws {
        let png = MeshPNGImage.render(mesh, scale: MeshColourScale())
        let (width, height) = MeshPNGImage.size(of: mesh)
        let lowest = MeshPNGImage.centre(column: 0, row: 1, of: mesh)
        let highest = MeshPNGImage.centre(column: 2, row: 0, of: mesh)
        let missing = MeshPNGImage.centre(column: 1, row: 1, of: mesh)
        let decoded = try await PythonPNGDecoder.decode(png, pixels: [lowest, highest, (missing.x - 25, missing.y - 25)])
        #expect(decoded.width == width)
        #expect(decoded.height == height)
        #expect(decoded.pixels[0] == MeshColourScale().colour(for: -0.15))
        #expect(decoded.pixels[1] == RGBColour(103, 0, 31))
        #expect(decoded.pixels[2] == MeshColourScale.missingColour)
    }
}

/// Decodes a PNG with Python's zlib, independent of the encoder under test: checks the
/// signature and every chunk's CRC, inflates the IDAT data (which checks Adler-32), undoes
/// filter type 0, and reports the size and the colours of the pixels asked for.
enum PythonPNGDecoder {
    struct Decoded {
        var width: Int
        var height: Int
        var pixels: [RGBColour]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let script = """
        import json, struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'signature'
        pos, idat, width, height = 8, b'', 0, 0
        while pos < len(data):
            length, kind = struct.unpack('>I4s', data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            crc, = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
            assert zlib.crc32(kind + body) & 0xffffffff == crc, 'crc of ' + kind.decode()
            if kind == b'IHDR':
                width, height, depth, colour = struct.unpack('>IIBB', body[:10])
                assert (depth, colour) == (8, 2), 'not 8-bit RGB'
            elif kind == b'IDAT':
                idat += body
            pos += 12 + length
        raw = zlib.decompress(idat)
        stride = width * 3 + 1
        assert len(raw) == stride * height, 'size'
        pixels = []
        for pair in sys.argv[2:]:
            x, y = map(int, pair.split(','))
            assert raw[y * stride] == 0, 'filter'
            offset = y * stride + 1 + x * 3
            pixels.append(list(raw[offset:offset + 3]))
        print(json.dumps({'width': width, 'height': height, 'pixels': pixels}))
        """

    static func decode(_ png: [UInt8], pixels: [(x: Int, y: Int)]) async throws -> Decoded {
        let directory = try TemporaryDirectory()
        let file = try directory.write("mesh.png", bytes: png)
        let run = try await ToolRun("/usr/bin/env", ["python3", "-c", script, file] + pixels.map { "\($0.x),\($0.y)" })
        guard run.status == 0 else {
            throw Failure(description: "python3 could not decode the PNG: \(run.standardError)")
        }
        struct Reply: Decodable {
            var width: Int
            var height: Int
            var pixels: [[UInt8]]
        }
        let reply = try JSONDecoder().decode(Reply.self, from: Data(run.standardOutput.utf8))
        return Decoded(width: reply.width, height: reply.height, pixels: reply.pixels.map { RGBColour($0[0], $0[1], $0[2]) })
    }
}
