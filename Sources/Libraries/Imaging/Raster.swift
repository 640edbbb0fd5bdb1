import Foundation

/// A grey raster (0 black, 255 white), rows top to bottom.
public struct Raster: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "raster size")
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    @inline(__always) public subscript(x: Int, y: Int) -> UInt8 {
        guard x >= 0, y >= 0, x < width, y < height else { return 255 }
        return pixels[y * width + x]
    }

    /// Every `factor`-th pixel block averaged: a small copy for finding skew and placement.
    public func downsampled(by factor: Int) -> Raster {
        guard factor > 1 else { return self }
        let w = width / factor, h = height / factor
        var out = [UInt8](repeating: 255, count: w * h)
        let area = factor * factor
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0
                for dy in 0..<factor {
                    let row = (y * factor + dy) * width + x * factor
                    for dx in 0..<factor { sum += Int(pixels[row + dx]) }
                }
                out[y * w + x] = UInt8(sum / area)
            }
        }
        return Raster(width: w, height: h, pixels: out)
    }

    /// The share of dark pixels in a pixel rectangle.
    public func inkFraction(x: Int, y: Int, width w: Int, height h: Int, threshold: UInt8 = 128) -> Double {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else { return 0 }
        var dark = 0
        for row in y0..<y1 {
            let base = row * width
            for col in x0..<x1 where pixels[base + col] < threshold { dark += 1 }
        }
        return Double(dark) / Double((x1 - x0) * (y1 - y0))
    }

    /// The share of dark pixels overall.
    public var inkFraction: Double { inkFraction(x: 0, y: 0, width: width, height: height) }
}

/// Where a scanned page sits against the blank form: rotated by `angle` degrees about the
/// image centre and shifted by `dx`, `dy` pixels, at `pixelsPerPoint`.
public struct PagePlacement: Sendable, Equatable {
    public var angle: Double
    public var dx: Double
    public var dy: Double
    public var pixelsPerPoint: Double
    public var imageWidth: Int
    public var imageHeight: Int

    public init(angle: Double, dx: Double, dy: Double, pixelsPerPoint: Double, imageWidth: Int, imageHeight: Int) {
        self.angle = angle; self.dx = dx; self.dy = dy; self.pixelsPerPoint = pixelsPerPoint
        self.imageWidth = imageWidth; self.imageHeight = imageHeight
    }

    /// A point of the blank form (PDF points, top-left origin) in the scan's pixels.
    public func pixel(forPoint x: Double, _ y: Double) -> (x: Double, y: Double) {
        // On the straightened page the form is shifted; the scan is that page turned by `angle`.
        let sx = x * pixelsPerPoint + dx, sy = y * pixelsPerPoint + dy
        let cx = Double(imageWidth) / 2, cy = Double(imageHeight) / 2
        let r = angle * .pi / 180
        let c = cos(r), s = sin(r)
        let ux = sx - cx, uy = sy - cy
        return (c * ux - s * uy + cx, s * ux + c * uy + cy)
    }

    /// Where a template box lies on the scanned page, in PDF points (for marking the applicant's copy).
    public func pageBox(for box: Box) -> Box {
        let (x, y) = pixel(forPoint: box.x, box.y)
        return Box(x: x / pixelsPerPoint, y: y / pixelsPerPoint, width: box.width, height: box.height)
    }

    /// The template box `box` cut out of `image`, straightened, at the placement's resolution.
    public func sample(_ image: Raster, box: Box) -> Raster {
        let w = max(1, Int((box.width * pixelsPerPoint).rounded()))
        let h = max(1, Int((box.height * pixelsPerPoint).rounded()))
        var out = [UInt8](repeating: 255, count: w * h)
        let r = angle * .pi / 180
        let c = cos(r), s = sin(r)
        let cx = Double(imageWidth) / 2, cy = Double(imageHeight) / 2
        let ox = box.x * pixelsPerPoint + dx - cx, oy = box.y * pixelsPerPoint + dy - cy
        for j in 0..<h {
            for i in 0..<w {
                let ux = ox + Double(i), uy = oy + Double(j)
                let px = c * ux - s * uy + cx, py = s * ux + c * uy + cy
                // Bilinear: straightened text reads better than nearest-pixel steps.
                let x0 = Int(px.rounded(.down)), y0 = Int(py.rounded(.down))
                let fx = px - Double(x0), fy = py - Double(y0)
                let a = Double(image[x0, y0]), b = Double(image[x0 + 1, y0])
                let d = Double(image[x0, y0 + 1]), e = Double(image[x0 + 1, y0 + 1])
                let v = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy
                out[j * w + i] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return Raster(width: w, height: h, pixels: out)
    }
}

/// Finding a scanned page's skew and its place against a blank form.
public enum ScanAlignment {
    /// The skew in degrees (within ±`range`) that makes the page's rows of ink sharpest:
    /// the angle whose horizontal projection has the largest sum of squares.
    public static func skew(of image: Raster, range: Double = 3.5, step: Double = 0.1) -> Double {
        var ink: [(Double, Double)] = []
        for y in 0..<image.height {
            for x in 0..<image.width where image.pixels[y * image.width + x] < 128 {
                ink.append((Double(x), Double(y)))
            }
        }
        guard ink.count > 50 else { return 0 }
        let height = image.height, width = image.width
        func score(_ degrees: Double) -> Double {
            let r = degrees * .pi / 180
            let s = sin(r), c = cos(r)
            var bins = [Int](repeating: 0, count: height + width + 2)
            let offset = Double(width)
            for (x, y) in ink {
                // The row this pixel falls on once the page is turned back by `degrees`.
                let row = Int((y * c - x * s + offset).rounded())
                if row >= 0 && row < bins.count { bins[row] += 1 }
            }
            return bins.reduce(0.0) { $0 + Double($1 * $1) }
        }
        var best = 0.0, bestScore = score(0)
        for a in stride(from: -range, through: range, by: step) {
            let sc = score(a)
            if sc > bestScore { best = a; bestScore = sc }
        }
        for a in stride(from: best - step, through: best + step, by: step / 5) {
            let sc = score(a)
            if sc > bestScore { best = a; bestScore = sc }
        }
        return best
    }

    /// The image turned by `-degrees` about its centre (straightened), white where nothing maps.
    public static func straightened(_ image: Raster, degrees: Double) -> Raster {
        let placement = PagePlacement(angle: degrees, dx: 0, dy: 0, pixelsPerPoint: 1,
                                      imageWidth: image.width, imageHeight: image.height)
        return placement.sample(image, box: Box(x: 0, y: 0, width: Double(image.width), height: Double(image.height)))
    }

    /// Dark pixels per row and per column.
    public static func profiles(_ image: Raster) -> (rows: [Double], columns: [Double]) {
        var rows = [Double](repeating: 0, count: image.height)
        var columns = [Double](repeating: 0, count: image.width)
        for y in 0..<image.height {
            for x in 0..<image.width where image.pixels[y * image.width + x] < 128 {
                rows[y] += 1
                columns[x] += 1
            }
        }
        return (rows, columns)
    }

    /// The shift `k` (|k| ≤ `maxShift`) for which `scan[i + k]` best matches `blank[i]`,
    /// and how well (normalized correlation, -1...1).
    public static func bestShift(scan: [Double], blank: [Double], maxShift: Int) -> (shift: Int, score: Double) {
        func centered(_ v: [Double]) -> [Double] {
            let mean = v.reduce(0, +) / Double(max(1, v.count))
            return v.map { $0 - mean }
        }
        let a = centered(scan), b = centered(blank)
        var best = (shift: 0, score: -Double.infinity)
        for k in -maxShift...maxShift {
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in 0..<b.count {
                let j = i + k
                guard j >= 0, j < a.count else { continue }
                dot += a[j] * b[i]; na += a[j] * a[j]; nb += b[i] * b[i]
            }
            let score = na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
            if score > best.score { best = (k, score) }
        }
        return best
    }
}
