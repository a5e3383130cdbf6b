import PrintEdgeCore

/// The real shape of the bed (`--bed-shape`): what the probe finds and the first layer
/// meets. Heights are in millimetres relative to the bed's centre, which is 0:
///
/// - `tilt-x`, `tilt-y`: the surface rises this much per 100 mm towards +X, +Y;
/// - `bow`: the centre stands this much above the corners (a dome; negative: a dish),
///   parabolic in the distance from the centre;
/// - `noise`: local unevenness up to ± this much, on a 10 mm lattice interpolated
///   bilinearly, the same for the same `--seed`.
public struct BedSurface: Sendable, Equatable {
    public var tiltXPer100MM: Double
    public var tiltYPer100MM: Double
    public var bowMillimetres: Double
    public var noiseMillimetres: Double

    public static let flat = BedSurface(tiltXPer100MM: 0, tiltYPer100MM: 0, bowMillimetres: 0, noiseMillimetres: 0)

    public init(tiltXPer100MM: Double, tiltYPer100MM: Double, bowMillimetres: Double, noiseMillimetres: Double) {
        self.tiltXPer100MM = tiltXPer100MM
        self.tiltYPer100MM = tiltYPer100MM
        self.bowMillimetres = bowMillimetres
        self.noiseMillimetres = noiseMillimetres
    }

    /// `tilt-x=0.2,tilt-y=-0.1,bow=0.05,noise=0.01`: any of the four keys, each once,
    /// missing ones 0; values are millimetres within ±10 (noise 0…10).
    public init(specification: String) throws(SpecificationError) {
        self = .flat
        var seen: Set<Substring> = []
        for item in specification.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Double(parts[1].trimmingSpaces), value.isFinite, abs(value) <= 10 else {
                throw SpecificationError(item: String(item))
            }
            let key = parts[0].trimmingSpaces
            guard seen.insert(key).inserted else { throw SpecificationError(item: String(item)) }
            switch key {
            case "tilt-x": tiltXPer100MM = value
            case "tilt-y": tiltYPer100MM = value
            case "bow": bowMillimetres = value
            case "noise" where value >= 0: noiseMillimetres = value
            default: throw SpecificationError(item: String(item))
            }
        }
    }

    public struct SpecificationError: Error, CustomStringConvertible, Equatable {
        public var item: String

        public var description: String {
            "`\(item)` is not one of tilt-x=MM_PER_100MM, tilt-y=MM_PER_100MM, bow=MM, noise=MM (each once, within ±10, noise not negative)"
        }
    }

    /// The surface's height at X, Y on a bed `width` × `depth` millimetres.
    func height(atX x: Double, y: Double, width: Double, depth: Double, seed: UInt64) -> Double {
        let centreX = width / 2
        let centreY = depth / 2
        var z = tiltXPer100MM * (x - centreX) / 100 + tiltYPer100MM * (y - centreY) / 100
        let cornerSquared = centreX * centreX + centreY * centreY
        if cornerSquared > 0 {
            let dx = x - centreX
            let dy = y - centreY
            z -= bowMillimetres * (dx * dx + dy * dy) / cornerSquared
        }
        if noiseMillimetres > 0 {
            z += roughness(atX: x, y: y, seed: seed) - roughness(atX: centreX, y: centreY, seed: seed)
        }
        return z
    }

    private static let latticeMillimetres = 10.0

    private func roughness(atX x: Double, y: Double, seed: UInt64) -> Double {
        let gx = x / BedSurface.latticeMillimetres
        let gy = y / BedSurface.latticeMillimetres
        let ix = Int64((gx.isFinite ? gx : 0).rounded(.down))
        let iy = Int64((gy.isFinite ? gy : 0).rounded(.down))
        let fx = gx - Double(ix)
        let fy = gy - Double(iy)
        let front = node(ix, iy, seed) + (node(ix + 1, iy, seed) - node(ix, iy, seed)) * fx
        let back = node(ix, iy + 1, seed) + (node(ix + 1, iy + 1, seed) - node(ix, iy + 1, seed)) * fx
        return front + (back - front) * fy
    }

    /// A lattice node's height, uniform in ±noise, from the seed and the node alone.
    private func node(_ ix: Int64, _ iy: Int64, _ seed: UInt64) -> Double {
        var generator = SplitMix64(
            seed: seed ^ (UInt64(bitPattern: ix) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(bitPattern: iy) &* 0xC2B2_AE3D_27D4_EB4F))
        let unit = Double(generator.next() >> 11) / Double(1 << 53)
        return (unit * 2 - 1) * noiseMillimetres
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
