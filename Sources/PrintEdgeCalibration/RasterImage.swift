/// An RGB pixel canvas with the few drawing operations the mesh image needs.
struct RasterImage: Sendable {
    let width: Int
    let height: Int
    private(set) var rgb: [UInt8]

    init(width: Int, height: Int, background: RGBColour) {
        self.width = width
        self.height = height
        rgb = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    mutating func fill(x: Int, y: Int, width fillWidth: Int, height fillHeight: Int, _ colour: RGBColour) {
        let left = max(0, x), right = min(width, x + fillWidth)
        let top = max(0, y), bottom = min(height, y + fillHeight)
        guard left < right, top < bottom else { return }
        for row in top..<bottom {
            for column in left..<right {
                let index = (row * width + column) * 3
                rgb[index] = colour.red
                rgb[index + 1] = colour.green
                rgb[index + 2] = colour.blue
            }
        }
    }

    /// A frame `thickness` pixels wide inside the rectangle.
    mutating func outline(x: Int, y: Int, width frameWidth: Int, height frameHeight: Int, thickness: Int, _ colour: RGBColour) {
        fill(x: x, y: y, width: frameWidth, height: thickness, colour)
        fill(x: x, y: y + frameHeight - thickness, width: frameWidth, height: thickness, colour)
        fill(x: x, y: y, width: thickness, height: frameHeight, colour)
        fill(x: x + frameWidth - thickness, y: y, width: thickness, height: frameHeight, colour)
    }

    /// `text` in the pixel font with its top left corner at (x, y).
    mutating func text(_ text: String, x: Int, y: Int, scale: Int, _ colour: RGBColour) {
        var left = x
        for character in text {
            let rows = PixelFont.glyph(character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<PixelFont.glyphWidth where bits & (1 << (PixelFont.glyphWidth - 1 - column)) != 0 {
                    fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, colour)
                }
            }
            left += PixelFont.advance * scale
        }
    }

    var png: [UInt8] { PNGEncoder.encode(width: width, height: height, rgb: rgb) }
}
