import Foundation

/// What a scanner and a mail room do to a page: grain, specks, and JPEG's 8×8 blocks.
public enum ScanDegradation {
    /// Adds grain (±`grain` grey levels) and dark specks (`specks` of the pixels).
    public static func noise<R: RandomNumberGenerator>(_ r: inout Raster, grain: Int, specks: Double, random: inout R) {
        for i in r.pixels.indices {
            var v = Int(r.pixels[i]) + Int.random(in: -grain...grain, using: &random)
            if Double.random(in: 0..<1, using: &random) < specks { v = Int.random(in: 20...110, using: &random) }
            r.pixels[i] = UInt8(max(0, min(255, v)))
        }
    }

    /// JPEG's loss: each 8×8 block through a DCT, quantized by the standard luminance
    /// table scaled for `quality` (1...100), and back.
    public static func jpegArtifacts(_ r: inout Raster, quality: Int) {
        let base: [Double] = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
                              14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
                              49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
        let q = max(1, min(100, quality))
        let scale = q < 50 ? 5000.0 / Double(q) : 200.0 - 2.0 * Double(q)
        let table = base.map { max(1, (($0 * scale + 50) / 100).rounded(.down)) }
        var cosines = [Double](repeating: 0, count: 64)
        for x in 0..<8 { for u in 0..<8 { cosines[x * 8 + u] = cos(Double(2 * x + 1) * Double(u) * .pi / 16) } }
        func c(_ u: Int) -> Double { u == 0 ? 1 / 2.0.squareRoot() : 1 }
        var block = [Double](repeating: 0, count: 64), coefficients = [Double](repeating: 0, count: 64)
        for by in stride(from: 0, to: r.height - 7, by: 8) {
            for bx in stride(from: 0, to: r.width - 7, by: 8) {
                var flat = true
                for y in 0..<8 { for x in 0..<8 {
                    block[y * 8 + x] = Double(r.pixels[(by + y) * r.width + bx + x]) - 128
                    if block[y * 8 + x] != block[0] { flat = false }
                } }
                if flat { continue }
                for v in 0..<8 { for u in 0..<8 {
                    var sum = 0.0
                    for y in 0..<8 { for x in 0..<8 { sum += block[y * 8 + x] * cosines[x * 8 + u] * cosines[y * 8 + v] } }
                    let value = 0.25 * c(u) * c(v) * sum
                    coefficients[v * 8 + u] = (value / table[v * 8 + u]).rounded() * table[v * 8 + u]
                } }
                for y in 0..<8 { for x in 0..<8 {
                    var sum = 0.0
                    for v in 0..<8 { for u in 0..<8 { sum += c(u) * c(v) * coefficients[v * 8 + u] * cosines[x * 8 + u] * cosines[y * 8 + v] } }
                    r.pixels[(by + y) * r.width + bx + x] = UInt8(max(0, min(255, (0.25 * sum + 128).rounded())))
                } }
            }
        }
    }

    /// The page as a printer that shrinks to fit makes it: its content scaled by `factor` about
    /// the page's centre, on a white page of the same size.
    public static func shrunk(_ r: Raster, by factor: Double) -> Raster {
        var out = Raster(width: r.width, height: r.height)
        let cx = Double(r.width) / 2, cy = Double(r.height) / 2
        for y in 0..<r.height {
            let sy = Int(((Double(y) - cy) / factor + cy).rounded())
            for x in 0..<r.width {
                let sx = Int(((Double(x) - cx) / factor + cx).rounded())
                out.pixels[y * r.width + x] = r[sx, sy]
            }
        }
        return out
    }

    /// The back of a page scanned duplex: paper, specks, and the front showing through faintly,
    /// mirrored.
    public static func back<R: RandomNumberGenerator>(of front: Raster, random: inout R) -> Raster {
        var out = Raster(width: front.width, height: front.height)
        for y in 0..<front.height {
            for x in 0..<front.width {
                let through = front.pixels[y * front.width + (front.width - 1 - x)]
                out.pixels[y * front.width + x] = through < 128 ? UInt8.random(in: 236...246, using: &random) : 255
            }
        }
        noise(&out, grain: 2, specks: 0.00005, random: &random)
        return out
    }

    /// A fax: black and white only, and (standard resolution) every other row, so its pixels are
    /// twice as tall as they are wide.
    public static func fax(_ r: Raster, standard: Bool) -> Raster {
        let rows = standard ? stride(from: 0, to: r.height, by: 2).map { $0 } : Array(0..<r.height)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(rows.count * r.width)
        for y in rows { for x in 0..<r.width { pixels.append(r.pixels[y * r.width + x] < 160 ? 0 : 255) } }
        return Raster(width: r.width, height: rows.count, pixels: pixels)
    }
}
