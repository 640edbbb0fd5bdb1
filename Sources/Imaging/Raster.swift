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

    /// The raster as a binary 8-bit PGM (P5): what the reader dumps for a developer to look at.
    public var pgm: Data { Data("P5\n\(width) \(height)\n255\n".utf8) + Data(pixels) }

    /// A binary 8-bit PGM (P5, as `pgm` writes it); nil for anything else.
    public init?(pgm data: Data) {
        var fields: [String] = [], i = data.startIndex
        func isSpace(_ b: UInt8) -> Bool { b == 9 || b == 10 || b == 13 || b == 32 }
        while fields.count < 4 && i < data.endIndex {
            while i < data.endIndex && isSpace(data[i]) { i += 1 }
            let start = i
            while i < data.endIndex && !isSpace(data[i]) { i += 1 }
            fields.append(String(decoding: data[start..<i], as: UTF8.self))
        }
        // One whitespace after the maximum value, then the pixels.
        guard fields.count == 4, fields[0] == "P5", fields[3] == "255", let w = Int(fields[1]), let h = Int(fields[2]), w > 0, h > 0,
              w <= 1 << 15, h <= 1 << 15, data.endIndex - i - 1 >= w * h else { return nil }
        self.init(width: w, height: h, pixels: Array(data[(i + 1)..<(i + 1 + w * h)]))
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

    /// Each `factor`-th pixel block's darkest pixel: a small copy in which thin printed lines and
    /// pen strokes stay dark (an average turns them pale grey).
    public func downsampledDarkest(by factor: Int) -> Raster {
        guard factor > 1 else { return self }
        let w = width / factor, h = height / factor
        let out = [UInt8](unsafeUninitializedCapacity: w * h) { out, count in
            pixels.withUnsafeBufferPointer { source in
                // Darkest down each column of a band of rows first, then across each block.
                var band = [UInt8](repeating: 255, count: width)
                band.withUnsafeMutableBufferPointer { band in
                    for y in 0..<h {
                        let first = y * factor * width
                        for x in 0..<width { band[x] = source[first + x] }
                        for dy in 1..<factor {
                            let row = (y * factor + dy) * width
                            for x in 0..<width { band[x] = Swift.min(band[x], source[row + x]) }
                        }
                        for x in 0..<w {
                            var darkest: UInt8 = 255
                            for dx in 0..<factor { darkest = Swift.min(darkest, band[x * factor + dx]) }
                            out[y * w + x] = darkest
                        }
                    }
                }
            }
            count = w * h
        }
        return Raster(width: w, height: h, pixels: out)
    }

    /// The share of dark pixels in a pixel rectangle.
    public func inkFraction(x: Int, y: Int, width w: Int, height h: Int, threshold: UInt8 = 128) -> Double {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else { return 0 }
        var dark = 0
        pixels.withUnsafeBufferPointer { source in
            for row in y0..<y1 {
                let base = row * width
                for col in x0..<x1 where source[base + col] < threshold { dark += 1 }
            }
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

    /// A pixel of the scan as a point of the blank form: `pixel(forPoint:)` undone.
    public func point(forPixel x: Double, _ y: Double) -> (x: Double, y: Double) {
        let cx = Double(imageWidth) / 2, cy = Double(imageHeight) / 2
        let r = angle * .pi / 180
        let c = cos(r), s = sin(r)
        let ux = x - cx, uy = y - cy
        let sx = c * ux + s * uy + cx, sy = -s * ux + c * uy + cy
        return ((sx - dx) / pixelsPerPoint, (sy - dy) / pixelsPerPoint)
    }

    /// Where a template box lies on the scanned page, in PDF points (for marking the applicant's copy).
    public func pageBox(for box: Box) -> Box {
        let (x, y) = pixel(forPoint: box.x, box.y)
        return Box(x: x / pixelsPerPoint, y: y / pixelsPerPoint, width: box.width, height: box.height)
    }

    /// The template box `box` cut out of `image`, straightened, at the placement's resolution.
    public func sample(_ image: Raster, box: Box) -> Raster { sample(image, box: box, outputPixelsPerPoint: pixelsPerPoint) }

    /// `sample(_:box:)` at another resolution (`outputPixelsPerPoint` pixels per point out), so a
    /// page printed shrunk can be compared pixel for pixel with the blank form.
    public func sample(_ image: Raster, box: Box, outputPixelsPerPoint: Double) -> Raster {
        let w = max(1, Int((box.width * outputPixelsPerPoint).rounded()))
        let h = max(1, Int((box.height * outputPixelsPerPoint).rounded()))
        let step = pixelsPerPoint / outputPixelsPerPoint
        let r = angle * .pi / 180
        let c = cos(r), s = sin(r)
        let cx = Double(imageWidth) / 2, cy = Double(imageHeight) / 2
        let ox = box.x * pixelsPerPoint + dx - cx, oy = box.y * pixelsPerPoint + dy - cy
        let iw = image.width, ih = image.height
        // Far off the image every sample is white; the offset keeps truncation a floor (no libm
        // call per pixel) for anything nearer.
        let bias = Double(iw + ih + 4)
        let out = [UInt8](unsafeUninitializedCapacity: w * h) { out, count in
            image.pixels.withUnsafeBufferPointer { source in
                for j in 0..<h {
                    let uy = oy + Double(j) * step
                    // Along a row the source point moves by a fixed step.
                    var px = c * ox - s * uy + cx, py = s * ox + c * uy + cy
                    let sx = c * step, sy = s * step
                    for i in 0..<w {
                        defer { px += sx; py += sy }
                        // Bilinear: straightened text reads better than nearest-pixel steps. In
                        // fixed point (256ths of a pixel): integer arithmetic, no rounding calls.
                        guard px > -bias, py > -bias, px < bias, py < bias else { out[j * w + i] = 255; continue }
                        let qx = Int((px + bias) * 256), qy = Int((py + bias) * 256)
                        let x0 = (qx >> 8) - Int(bias), y0 = (qy >> 8) - Int(bias)
                        let fx = qx & 255, fy = qy & 255
                        let a, b, d, e: Int
                        if x0 >= 0, y0 >= 0, x0 + 1 < iw, y0 + 1 < ih {
                            let at = y0 * iw + x0
                            a = Int(source[at]); b = Int(source[at + 1])
                            d = Int(source[at + iw]); e = Int(source[at + iw + 1])
                        } else {
                            a = Int(image[x0, y0]); b = Int(image[x0 + 1, y0])
                            d = Int(image[x0, y0 + 1]); e = Int(image[x0 + 1, y0 + 1])
                        }
                        let top = a * (256 - fx) + b * fx, bottom = d * (256 - fx) + e * fx
                        out[j * w + i] = UInt8(truncatingIfNeeded: (top * (256 - fy) + bottom * fy + 32768) >> 16)
                    }
                }
            }
            count = w * h
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
                let row = Int(y * c - x * s + offset + 0.5)   // positive: truncation rounds
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

extension Raster {
    /// Paints `area` (in pixels, clipped to the image, partial pixels included) white.
    /// Columns dark down at least `share` of the image in runs at most `widest` columns wide: a
    /// fax's or a scanner's streaks. A form's densest column (the left edges of a stack of boxes)
    /// is dark down about a third of the page, and never alone.
    public func streakColumns(share: Double = 0.6, widest: Int = 3) -> [Int] {
        var dark = [Int](repeating: 0, count: width)
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where pixels[row + x] < 128 { dark[x] += 1 }
        }
        let dense = dark.map { Double($0) >= share * Double(height) }
        var found: [Int] = []
        var x = 0
        while x < width {
            guard dense[x] else { x += 1; continue }
            var end = x
            while end + 1 < width, dense[end + 1] { end += 1 }
            if end - x < widest { found += Array(x...end) }
            x = end + 1
        }
        return found
    }

    /// Makes the dark pixels of `columns` paper.
    public mutating func whitenDark(columns: [Range<Int>]) {
        for range in columns {
            for x in range where x >= 0 && x < width {
                for y in 0..<height where pixels[y * width + x] < 200 { pixels[y * width + x] = 255 }
            }
        }
    }

    public mutating func whiten(_ area: Box) {
        let x0 = Swift.max(0, Int(area.x.rounded(.down))), y0 = Swift.max(0, Int(area.y.rounded(.down)))
        let x1 = Swift.min(width, Int(area.maxX.rounded(.up))), y1 = Swift.min(height, Int(area.maxY.rounded(.up)))
        guard x1 > x0, y1 > y0 else { return }
        for y in y0..<y1 { for x in x0..<x1 { pixels[y * width + x] = 255 } }
    }

    /// The image turned clockwise by `quarterTurns` quarter turns (a page fed sideways or upside down).
    public func rotated(quarterTurns: Int) -> Raster {
        let turns = ((quarterTurns % 4) + 4) % 4
        guard turns != 0 else { return self }
        let w = turns == 2 ? width : height, h = turns == 2 ? height : width
        var out = [UInt8](repeating: 255, count: width * height)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    for x in 0..<width {
                        let v = source[y * width + x]
                        switch turns {
                        case 1: target[x * w + (w - 1 - y)] = v             // (x, y) -> (h-1-y, x)
                        case 2: target[(h - 1 - y) * w + (w - 1 - x)] = v
                        default: target[(h - 1 - x) * w + y] = v            // (x, y) -> (y, w-1-x)
                        }
                    }
                }
            }
        }
        return Raster(width: w, height: h, pixels: out)
    }
}

extension Raster {
    /// A copy the same size whose pixel (u, v) is this image's (u·s, v·s), nearest pixel: the
    /// page enlarged by 1/s about its top-left corner (a print shrunk to fit, brought back).
    public func resampled(sourceScale s: Double) -> Raster {
        guard s != 1 else { return self }
        var out = [UInt8](repeating: 255, count: width * height)
        for v in 0..<height {
            let y = Int((Double(v) * s).rounded())
            guard y < height else { break }
            for u in 0..<width {
                let x = Int((Double(u) * s).rounded())
                guard x < width else { break }
                out[v * width + u] = pixels[y * width + x]
            }
        }
        return Raster(width: width, height: height, pixels: out)
    }

    /// The share of this image's dark pixels that fall, once shifted back by `dx`, `dy`, where
    /// `expected` (a mask `maskWidth` wide) allows ink: a page placed on the right blank has its
    /// ink on the printed lines or in the boxes; the wrong blank leaves much of it unexplained.
    public func explainedInk(expected: [Bool], maskWidth: Int, dx: Int, dy: Int) -> Double {
        guard maskWidth > 0 else { return 0 }
        let maskHeight = expected.count / maskWidth
        var dark = 0, explained = 0
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where pixels[row + x] < 128 {
                // A speck (a dark pixel with at most one dark neighbour) is the scanner's, not ink.
                var neighbours = 0
                for ny in Swift.max(0, y - 1)...Swift.min(height - 1, y + 1) {
                    for nx in Swift.max(0, x - 1)...Swift.min(width - 1, x + 1) where (nx != x || ny != y) && pixels[ny * width + nx] < 128 {
                        neighbours += 1
                    }
                }
                if neighbours < 2 { continue }
                dark += 1
                let bx = x - dx, by = y - dy
                if bx >= 0, by >= 0, bx < maskWidth, by < maskHeight, expected[by * maskWidth + bx] { explained += 1 }
            }
        }
        return dark == 0 ? 0 : Double(explained) / Double(dark)
    }

    /// Where ink is expected on a blank page: its own dark pixels grown by `grow`, and `boxes`
    /// (pixel rectangles, where people write).
    public func expectedInk(grow: Int, boxes: [(x: Int, y: Int, width: Int, height: Int)]) -> [Bool] {
        var mask = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            for x in 0..<width where pixels[y * width + x] < 128 {
                for yy in max(0, y - grow)...min(height - 1, y + grow) {
                    for xx in max(0, x - grow)...min(width - 1, x + grow) { mask[yy * width + xx] = true }
                }
            }
        }
        for b in boxes {
            for yy in max(0, b.y)..<min(height, b.y + b.height) {
                for xx in max(0, b.x)..<min(width, b.x + b.width) { mask[yy * width + xx] = true }
            }
        }
        return mask
    }
}

extension Raster {
    /// Pixels of ink here that the blank form (`form`, the same size) does not explain: dark pixels
    /// with nothing printed within `tolerance` pixels once the two are aligned (a shift of up to
    /// `search` pixels, as a placement can be a point or two off), in pieces of at least
    /// `minimumPiece` pixels (a scanner's specks are smaller) and not long thin rules. What the
    /// applicant wrote or marked.
    public func inkBeyond(_ form: Raster, search: Int = 12, tolerance: Int = 3, threshold: UInt8 = 200, minimumPiece: Int = 24) -> Int {
        writtenPieces(form, search: search, tolerance: tolerance, threshold: threshold)
            .filter { $0.size >= minimumPiece && !$0.isRule }.reduce(0) { $0 + $1.size }
    }

    /// A piece of ink (8-connected) that the form does not explain.
    public struct InkPiece: Sendable {
        /// Its pixels, as indices into the raster.
        public let indices: [Int]
        public let x0: Int, y0: Int, x1: Int, y1: Int
        public var size: Int { indices.count }
        public var width: Int { x1 - x0 + 1 }
        public var height: Int { y1 - y0 + 1 }
        /// A long thin rule is the form's own line, a little off where the blank has it.
        public var isRule: Bool { (width >= 8 * height && width >= 40) || (height >= 8 * width && height >= 40) }
        /// This piece and `other` as one (a glyph drawn in two strokes).
        public func joined(with other: InkPiece) -> InkPiece {
            InkPiece(indices: indices + other.indices, x0: Swift.min(x0, other.x0), y0: Swift.min(y0, other.y0),
                     x1: Swift.max(x1, other.x1), y1: Swift.max(y1, other.y1))
        }
    }

    /// The pieces of ink here that the blank form (`form`, the same size) does not explain, specks
    /// included (see `inkBeyond`).
    public func writtenPieces(_ form: Raster, search: Int = 12, tolerance: Int = 3, threshold: UInt8 = 200) -> [InkPiece] {
        guard form.width == width, form.height == height, width > 0, height > 0 else { return [] }
        // Where the form is printed, grown by the tolerance.
        var printed = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            for x in 0..<width where form.pixels[y * width + x] < Swift.min(250, Int(threshold) + 40) {
                for yy in max(0, y - tolerance)...min(height - 1, y + tolerance) {
                    for xx in max(0, x - tolerance)...min(width - 1, x + tolerance) { printed[yy * width + xx] = true }
                }
            }
        }
        var ink: [(x: Int, y: Int)] = []
        for y in 0..<height { for x in 0..<width where pixels[y * width + x] < threshold { ink.append((x, y)) } }
        guard !ink.isEmpty else { return [] }
        func explained(_ dx: Int, _ dy: Int) -> Int {
            var n = 0
            for p in ink {
                let x = p.x - dx, y = p.y - dy
                if x >= 0, y >= 0, x < width, y < height, printed[y * width + x] { n += 1 }
            }
            return n
        }
        var best = (dx: 0, dy: 0, n: explained(0, 0))
        // All of it where the form is printed: nothing beyond it (most empty boxes end here).
        if best.n == ink.count { return [] }
        // Coarse to fine: the printed marks are grown by the tolerance, so a shift within it of the
        // best one already explains nearly as much; the best is then found around the coarse one.
        let coarse = Swift.max(1, tolerance)
        for dy in stride(from: -search, through: search, by: coarse) {
            for dx in stride(from: -search, through: search, by: coarse) where dx != 0 || dy != 0 {
                let n = explained(dx, dy)
                if n > best.n { best = (dx, dy, n) }
            }
        }
        let around = best
        for dy in (around.dy - coarse + 1)...(around.dy + coarse - 1) where best.n < ink.count {
            for dx in (around.dx - coarse + 1)...(around.dx + coarse - 1) where dx != around.dx || dy != around.dy {
                let n = explained(dx, dy)
                if n > best.n { best = (dx, dy, n) }
            }
        }
        // The unexplained ink, in pieces (8-connected).
        var loose = [Bool](repeating: false, count: width * height)
        for p in ink {
            let x = p.x - best.dx, y = p.y - best.dy
            if !(x >= 0 && y >= 0 && x < width && y < height && printed[y * width + x]) { loose[p.y * width + p.x] = true }
        }
        return Self.pieces(of: &loose, width: width, height: height)
    }

    /// The marked pixels of `mask` (a `width` × `height` image) in pieces, 8-connected; the mask
    /// is left empty.
    static func pieces(of loose: inout [Bool], width: Int, height: Int) -> [InkPiece] {
        var pieces: [InkPiece] = []
        var stack: [Int] = []
        for start in loose.indices where loose[start] {
            loose[start] = false
            stack.append(start)
            var indices: [Int] = []
            var x0 = width, y0 = height, x1 = 0, y1 = 0
            while let q = stack.popLast() {
                indices.append(q)
                let x = q % width, y = q / width
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) where loose[ny * width + nx] {
                        loose[ny * width + nx] = false
                        stack.append(ny * width + nx)
                    }
                }
            }
            pieces.append(InkPiece(indices: indices, x0: x0, y0: y0, x1: x1, y1: y1))
        }
        return pieces
    }

    /// The ink of a crop (pixels darker than `threshold`) as glyphs, left to right: its pieces
    /// (8-connected) of at least `minimumSize` pixels, those that share most of their columns
    /// joined (a 0 drawn in two strokes, a 5's flag, a 4's two strokes).
    public func glyphs(threshold: UInt8 = 160, minimumSize: Int = 8) -> [InkPiece] {
        var mask = pixels.map { $0 < threshold }
        let pieces = Self.pieces(of: &mask, width: width, height: height).filter { $0.size >= minimumSize }.sorted { $0.x0 < $1.x0 }
        var joined: [InkPiece] = []
        for piece in pieces {
            if let last = joined.last {
                let shared = min(last.x1, piece.x1) - max(last.x0, piece.x0) + 1
                if Double(shared) >= 0.5 * Double(min(last.width, piece.width)) {
                    joined[joined.count - 1] = last.joined(with: piece)
                    continue
                }
            }
            joined.append(piece)
        }
        return joined
    }

    /// `glyphs` of a row of `count` digits: marks much shorter than the tallest (a hyphen between
    /// groups, a speck) left out; the widest split until there are `count` (digits that touch),
    /// each at its column of least ink near its middle, and only while it is much wider than the
    /// others; a narrow one joined to its nearer neighbour while there are more (a digit drawn in
    /// two strokes side by side).
    public func glyphs(count: Int, threshold: UInt8 = 160, minimumSize: Int = 8) -> [InkPiece] {
        var found = glyphs(threshold: threshold, minimumSize: minimumSize)
        func typicalWidth() -> Int { found.map(\.width).sorted()[found.count / 2] }
        // A sliver beside a glyph, touching or nearly, is its stroke.
        while found.count > count {
            let typical = typicalWidth()
            guard let i = found.indices.min(by: { found[$0].width < found[$1].width }), found[i].width * 5 < typical * 3 else { break }
            let gapLeft = i > 0 ? found[i].x0 - found[i - 1].x1 : Int.max, gapRight = i + 1 < found.count ? found[i + 1].x0 - found[i].x1 : Int.max
            let j = gapLeft <= gapRight ? i - 1 : i + 1
            guard j >= 0, j < found.count, min(gapLeft, gapRight) <= typical / 4 else { break }
            found.replaceSubrange(min(i, j)...max(i, j), with: [found[min(i, j)].joined(with: found[max(i, j)])])
        }
        Self.removeShortMarks(&found)
        while found.count < count, found.count >= 2 {
            let typical = typicalWidth()
            guard let i = found.indices.max(by: { found[$0].width < found[$1].width }), found[i].width >= typical * 3 / 2 else { break }
            let piece = found[i]
            var columns = [Int](repeating: 0, count: piece.width)
            for q in piece.indices { columns[q % width - piece.x0] += 1 }
            let middle = (piece.width * 3 / 10)...(piece.width * 7 / 10)
            guard let cut = middle.min(by: { columns[$0] < columns[$1] }) else { break }
            let left = piece.indices.filter { $0 % width - piece.x0 < cut }, right = piece.indices.filter { $0 % width - piece.x0 >= cut }
            func bounded(_ indices: [Int]) -> InkPiece {
                InkPiece(indices: indices, x0: indices.map { $0 % width }.min()!, y0: indices.map { $0 / width }.min()!,
                         x1: indices.map { $0 % width }.max()!, y1: indices.map { $0 / width }.max()!)
            }
            guard !left.isEmpty, !right.isEmpty else { break }
            found.replaceSubrange(i...i, with: [bounded(left), bounded(right)])
        }
        return found
    }

    /// Leaves out glyphs much shorter than the tallest: a hyphen between groups, a speck.
    static func removeShortMarks(_ found: inout [InkPiece]) {
        let tallest = found.map(\.height).max() ?? 0
        found.removeAll { $0.height * 2 < tallest }
    }

    /// The columns of each character of a line whose characters a reading puts at `positions`
    /// (columns here, left to right): the ink's glyphs (`glyphs(threshold:minimumSize:)`, marks much
    /// shorter than the tallest left out), each holding the positions within it, a glyph holding
    /// several (digits that touch) cut halfway between each two. Nil where the ink
    /// and the reading do not match: a position on no glyph (ink too faint to be seen at this
    /// threshold) or a glyph with none (ink the reading did not account for).
    public func glyphColumns(at positions: [Double], threshold: UInt8 = 160, minimumSize: Int = 8) -> [ClosedRange<Int>]? {
        guard !positions.isEmpty, zip(positions, positions.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        var found = glyphs(threshold: threshold, minimumSize: minimumSize)
        Self.removeShortMarks(&found)
        // A position a pixel or two beside its glyph is still on it (where the reading puts a
        // character is only roughly where its ink is).
        var held = [[Double]](repeating: [], count: found.count)
        for p in positions {
            // Glyphs may share columns (a 7's bar over the 5 beside it): the one centred nearest.
            func distance(_ i: Int) -> Double { abs(Double(found[i].x0 + found[i].x1) / 2 - p) }
            guard let i = found.indices.filter({ Double(found[$0].x0) - 2 <= p && p <= Double(found[$0].x1) + 2 })
                .min(by: { distance($0) < distance($1) }) else { return nil }
            held[i].append(p)
        }
        guard held.allSatisfy({ !$0.isEmpty }) else { return nil }
        var columns: [ClosedRange<Int>] = []
        for (piece, at) in zip(found, held) {
            guard at.count > 1 else { columns.append(piece.x0...piece.x1); continue }
            var start = piece.x0
            for (a, b) in zip(at, at.dropFirst()) {
                // Halfway between the two characters: the column of least ink would be inside a
                // glyph as often as between two (a 0's bottom, a U's).
                let cut = Swift.min(piece.x1, Swift.max(start + 1, Int(((a + b) / 2).rounded())))
                columns.append(start...(cut - 1))
                start = cut
            }
            columns.append(start...piece.x1)
        }
        return columns
    }

    /// This raster's columns `columns` alone on paper, all their ink (a glyph's broken strokes
    /// with it, not only its largest piece), cut to the rows their ink is in, with `margin` around.
    public func cutOut(columns: ClosedRange<Int>, margin: Int, below: UInt8 = 200) -> Raster {
        let x0 = Swift.max(0, columns.lowerBound), x1 = Swift.min(width - 1, columns.upperBound)
        guard x0 <= x1 else { return Raster(width: 2 * margin, height: 2 * margin) }
        let inked = (0..<height).filter { y in (x0...x1).contains { pixels[y * width + $0] < below } }
        guard let top = inked.first, let bottom = inked.last else { return Raster(width: x1 - x0 + 1 + 2 * margin, height: 2 * margin) }
        let w = x1 - x0 + 1 + 2 * margin, h = bottom - top + 1 + 2 * margin
        var out = Raster(width: w, height: h)
        for y in top...bottom {
            for x in x0...x1 { out.pixels[(y - top + margin) * w + (x - x0 + margin)] = pixels[y * width + x] }
        }
        return out
    }

    /// A printed line: the rows (of a horizontal line; columns of a vertical one) it is thick
    /// across, and the columns (rows) it runs along.
    struct PrintedLine { var across: ClosedRange<Int>; var along: ClosedRange<Int> }

    /// This raster's straight lines in one direction: rows (`vertical`: columns) whose longest run
    /// of pixels darker than `below` is at least `longest`, grouped with the neighbouring rows
    /// whose runs overlap it into one line.
    func printedLines(vertical: Bool, below: Int, longest: Int) -> [PrintedLine] {
        let (count, length) = vertical ? (width, height) : (height, width)
        var lines: [PrintedLine] = []
        for i in 0..<count {
            var run = 0, best = (length: 0, end: 0)
            for j in 0..<length {
                run = Int(vertical ? pixels[j * width + i] : pixels[i * width + j]) < below ? run + 1 : 0
                if run > best.length { best = (run, j) }
            }
            guard best.length >= longest else { continue }
            let along = (best.end - best.length + 1)...best.end
            if let last = lines.last, last.across.upperBound >= i - 1, last.along.overlaps(along) {
                lines[lines.count - 1] = PrintedLine(across: last.across.lowerBound...i,
                                                     along: Swift.min(last.along.lowerBound, along.lowerBound)...Swift.max(last.along.upperBound, along.upperBound))
            } else {
                lines.append(PrintedLine(across: i...i, along: along))
            }
        }
        return lines
    }

    /// The scan's pixels along the form's horizontal lines under or over writing: hand print rests
    /// on a box's border or is written on the line above it, and `writtenPieces` counts everything
    /// within its tolerance of a printed line as the form's, cutting off the feet of the letters (E
    /// read as F, L as I, B as R). A foot drawn along the line cannot be told from the line, so
    /// under the writing (`columns`) the line is kept with them: the recognizer reads underlined
    /// print well, and cut letters badly. The line is found on this scan, column by column (the
    /// median of its lone columns near by), around where the form has it; the form's other print
    /// (a label) stays the form's. Only lines whose band meets `rows` count.
    public func inkAlongLines(_ form: Raster, columns: ClosedRange<Int>, rows: ClosedRange<Int>, tolerance: Int = 3,
                              threshold: UInt8 = 200) -> [Int] {
        guard form.width == width, form.height == height, width > 0, height > 0 else { return [] }
        let printedBelow = Swift.min(250, Int(threshold) + 40)
        // The form's horizontal lines.
        let lines = form.printedLines(vertical: false, below: printedBelow, longest: Swift.max(40, width / 5))
            .map { (top: $0.across.lowerBound, bottom: $0.across.upperBound, x0: $0.along.lowerBound, x1: $0.along.upperBound) }
        func dark(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height && pixels[y * width + x] < threshold }
        // The form's other print (a label near the line) stays the form's.
        var other = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            for x in 0..<width where form.pixels[y * width + x] < printedBelow {
                other[y * width + x] = !lines.contains { y >= $0.top && y <= $0.bottom && x >= $0.x0 && x <= $0.x1 }
            }
        }
        func nearOtherPrint(_ x: Int, _ y: Int) -> Bool {
            let r = tolerance + 2
            // (y is where the form has it, which can be off the raster: nothing printed there.)
            let (top, bottom) = (Swift.max(0, y - r), Swift.min(height - 1, y + r))
            let (left, right) = (Swift.max(0, x - r), Swift.min(width - 1, x + r))
            guard top <= bottom, left <= right else { return false }
            for yy in top...bottom {
                for xx in left...right where other[yy * width + xx] { return true }
            }
            return false
        }
        var out: [Int] = []
        // The placement can be this far off the form: the line is looked for around where the form has it.
        let reach = 2 * tolerance + 4
        for line in lines where line.bottom + reach >= rows.lowerBound && line.top - reach <= rows.upperBound {
            let middle = (line.top + line.bottom) / 2
            // Each column's dark run nearest the form's line (nil where the scan has no line).
            func run(_ x: Int) -> (top: Int, bottom: Int)? {
                var best: (top: Int, bottom: Int)? = nil
                var bestDistance = Int.max
                var y = middle - reach
                while y <= middle + reach {
                    guard dark(x, y) else { y += 1; continue }
                    var top = y, bottom = y
                    while dark(x, top - 1) { top -= 1 }
                    while dark(x, bottom + 1) { bottom += 1 }
                    let distance = Swift.max(0, Swift.max(top - middle, middle - bottom))
                    if distance < bestDistance { best = (top, bottom); bestDistance = distance }
                    y = bottom + 1
                }
                return best
            }
            let from = Swift.max(0, line.x0), to = Swift.min(width - 1, line.x1)
            guard from < to else { continue }
            let runs = (from...to).map(run)
            let thicknesses = runs.compactMap { $0.map { $0.bottom - $0.top + 1 } }.sorted()
            guard !thicknesses.isEmpty else { continue }
            let usual = thicknesses[thicknesses.count / 2]
            // The line alone: columns no thicker than usual.
            let alone = runs.indices.filter { runs[$0].map { $0.bottom - $0.top + 1 <= usual + 1 } ?? false }
            guard !alone.isEmpty else { continue }
            let lo = Swift.max(columns.lowerBound, from), hi = Swift.min(columns.upperBound, to)
            guard lo <= hi else { continue }
            var nearest = 0
            for x in lo...hi {
                // Where the line runs here: the median of the lone columns within a little way.
                let i = x - from
                while nearest + 1 < alone.count && abs(alone[nearest + 1] - i) <= abs(alone[nearest] - i) { nearest += 1 }
                let window = alone[Swift.max(0, nearest - 8)...Swift.min(alone.count - 1, nearest + 8)]
                let tops = window.compactMap { runs[$0]?.top }.sorted(), bottoms = window.compactMap { runs[$0]?.bottom }.sorted()
                let coreTop = tops[tops.count / 2] - 1, coreBottom = bottoms[bottoms.count / 2] + 1
                // The scan's line is where the form's is, give or take the placement.
                let shift = (coreTop + coreBottom) / 2 - middle
                let bandTop = Swift.max(0, coreTop - reach, rows.lowerBound - reach)
                let bandBottom = Swift.min(height - 1, coreBottom + reach, rows.upperBound + reach)
                guard bandTop <= bandBottom else { continue }
                for y in bandTop...bandBottom where dark(x, y) && !nearOtherPrint(x, y - shift) {
                    out.append(y * width + x)
                }
            }
        }
        return out
    }

    /// The scan's pixels where a written stroke lies along one of the form's vertical lines (a
    /// box's side) that the writing crosses: a T's stem, a K's back or a 6's bowl drawn on the
    /// border where a value runs past the box's end. `writtenPieces` counts all of the line as the
    /// form's, and the letter loses its stroke (PRESIDENT read PRESIDEN, 2026 read 2021). Unlike a
    /// line under writing, a stroke along a side can be told from the side: the side alone is as
    /// thick and as dark as it is where nothing is written on it, and a stroke on it makes it
    /// darker (pen over print) or thicker (never drawn exactly on it). Only lines with writing
    /// at both sides (`columns`), and only in the writing's `rows`.
    public func inkAlongBorders(_ form: Raster, columns: ClosedRange<Int>, rows: ClosedRange<Int>, tolerance: Int = 3,
                                threshold: UInt8 = 200) -> [Int] {
        guard form.width == width, form.height == height, width > 0, height > 0 else { return [] }
        let printedBelow = Swift.min(250, Int(threshold) + 40)
        // The form's vertical lines.
        let lines = form.printedLines(vertical: true, below: printedBelow, longest: Swift.max(20, height / 5))
            .map { (left: $0.across.lowerBound, right: $0.across.upperBound, top: $0.along.lowerBound, bottom: $0.along.upperBound) }
        let reach = 2 * tolerance + 4
        // Writing at both sides of the line, a letter's width or so beyond it.
        let inside = (columns.lowerBound + reach)...Swift.max(columns.lowerBound + reach, columns.upperBound - reach)
        func dark(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height && pixels[y * width + x] < threshold }
        var out: [Int] = []
        for line in lines where inside.contains((line.left + line.right) / 2) {
            let middle = (line.left + line.right) / 2
            // Each row's ink about the line (its dark pixels within reach of where the form has
            // it) and the darkest of them: the side's, and a stroke's beside or on it that the
            // form's tolerance took.
            let left = Swift.max(0, middle - reach), right = Swift.min(width - 1, middle + reach)
            guard left <= right else { continue }
            func band(_ y: Int) -> (count: Int, darkest: Int) {
                var count = 0, darkest = 255
                for x in left...right where dark(x, y) { count += 1; darkest = Swift.min(darkest, Int(pixels[y * width + x])) }
                return (count, darkest)
            }
            let top = Swift.max(0, line.top - reach), bottom = Swift.min(height - 1, line.bottom + reach)
            guard top <= bottom else { continue }
            // The side alone: its rows away from the writing, or (too few of those) all its rows.
            let ofLine = (top...bottom).filter { $0 >= line.top && $0 <= line.bottom }.map { ($0, band($0)) }.filter { $0.1.count > 0 }
            let away = ofLine.filter { !rows.contains($0.0) }.map(\.1)
            let reference = away.count >= 4 ? away : ofLine.map(\.1)
            guard reference.count >= 4 else { continue }
            // Its thinnest and lightest rows but a few (a stroke may run along most of it).
            let usualCount = reference.map(\.count).sorted()[reference.count / 8]
            let usualDarkest = reference.map(\.darkest).sorted(by: >)[reference.count / 8]
            let from = Swift.max(top, rows.lowerBound), to = Swift.min(bottom, rows.upperBound)
            guard from <= to else { continue }
            var stroke = (from...to).map { y -> Bool in
                let b = band(y)
                return b.count > 0 && (b.count >= usualCount + 2 || b.darkest <= usualDarkest - 40)
            }
            // A stroke is whole: short breaks in it (a lighter pixel or two) are bridged.
            var lastStroke: Int? = nil
            for i in stroke.indices where stroke[i] {
                if let last = lastStroke, i - last > 1, i - last <= 4 { for j in (last + 1)..<i { stroke[j] = true } }
                lastStroke = i
            }
            for i in stroke.indices where stroke[i] {
                let y = from + i
                for x in left...right where dark(x, y) { out.append(y * width + x) }
            }
        }
        return out
    }
}
