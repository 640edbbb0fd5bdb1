/// Cleaning a field's crop before it is read: the box's border and specks taken away, the
/// ink cut out with room around it, and other views of the same ink for a second reading.
public enum CropCleaning {
    /// A field crop without what is not its text: rows and columns that are mostly dark (the
    /// box's border, grey on the form) and small specks away from the line of text.
    public static func withoutLines(_ crop: Raster) -> Raster {
        var r = crop
        let w = r.width, h = r.height
        guard w > 4, h > 4 else { return r }
        // What is left of the border: lines (grey, about 136, on the form) that run nearly the
        // whole crop, along its edges only; text never does both.
        let edgeRows = max(2, h / 5), edgeColumns = max(2, min(w / 8, h / 3))
        for y in Array(0..<edgeRows) + Array((h - edgeRows)..<h) {
            var dark = 0
            for x in 0..<w where r.pixels[y * w + x] < 190 { dark += 1 }
            if Double(dark) > Double(w) * 0.85 { for x in 0..<w { r.pixels[y * w + x] = 255 } }
        }
        for x in Array(0..<edgeColumns) + Array((w - edgeColumns)..<w) {
            var dark = 0
            for y in 0..<h where r.pixels[y * w + x] < 190 { dark += 1 }
            if Double(dark) > Double(h) * 0.85 { for y in 0..<h { r.pixels[y * w + x] = 255 } }
        }
        return r
    }

    /// The inside of a field box, cut from a crop taken `margin` pixels outside the box:
    /// each border is looked for near where it should be, as the darkest line there.
    public static func insideOfBorder(_ crop: Raster, margin: Double, pixelsPerPoint: Double) -> Raster {
        let w = crop.width, h = crop.height
        let reach = Int((margin * 2).rounded())
        guard w > 2 * reach + 4, h > 2 * reach + 4 else { return crop }
        func darkness(column x: Int) -> Int {
            var n = 0
            for y in reach..<(h - reach) where crop.pixels[y * w + x] < 190 { n += 1 }
            return n
        }
        func darkness(row y: Int) -> Int {
            var n = 0
            for x in reach..<(w - reach) where crop.pixels[y * w + x] < 190 { n += 1 }
            return n
        }
        // The line nearest where the border should be, among those running most of the box:
        // a typed "1" near the border is dark too, but short.
        func border(_ range: Range<Int>, expected: Int, _ measure: (Int) -> Int, length: Int) -> Int? {
            range.filter { Double(measure($0)) > Double(length) * 0.7 }.min { abs($0 - expected) < abs($1 - expected) }
        }
        let inner = Int((1.0 * pixelsPerPoint).rounded())
        let m = Int(margin.rounded())
        let left = border(0..<reach, expected: m, { darkness(column: $0) }, length: h - 2 * reach).map { $0 + inner } ?? m + inner
        let right = border((w - reach)..<w, expected: w - 1 - m, { darkness(column: $0) }, length: h - 2 * reach).map { $0 - inner } ?? w - m - inner
        let top = border(0..<reach, expected: m, { darkness(row: $0) }, length: w - 2 * reach).map { $0 + inner } ?? m + inner
        let bottom = border((h - reach)..<h, expected: h - 1 - m, { darkness(row: $0) }, length: w - 2 * reach).map { $0 - inner } ?? h - m - inner
        guard right - left > 4, bottom - top > 4 else { return crop }
        let cw = right - left, ch = bottom - top
        var out = [UInt8](repeating: 255, count: cw * ch)
        for y in 0..<ch {
            out.replaceSubrange(y * cw..<(y + 1) * cw, with: crop.pixels[(y + top) * w + left..<(y + top) * w + left + cw])
        }
        return Raster(width: cw, height: ch, pixels: out)
    }

    public static func cleaned(_ crop: Raster) -> Raster {
        var r = crop
        let w = r.width, h = r.height
        guard w > 4, h > 4 else { return r }
        // Connected pieces of ink; keep those of a size and place that text has.
        let threshold = min(otsuThreshold(r), 160)
        var label = [Int32](repeating: -1, count: w * h)
        var pieces: [(area: Int, x0: Int, y0: Int, x1: Int, y1: Int)] = []
        var stack: [Int] = []
        for start in 0..<(w * h) where r.pixels[start] < threshold && label[start] < 0 {
            let id = Int32(pieces.count)
            var piece = (area: 0, x0: w, y0: h, x1: -1, y1: -1)
            label[start] = id
            stack.append(start)
            while let p = stack.popLast() {
                let x = p % w, y = p / w
                piece.area += 1
                piece.x0 = min(piece.x0, x); piece.x1 = max(piece.x1, x); piece.y0 = min(piece.y0, y); piece.y1 = max(piece.y1, y)
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1), (x - 1, y - 1), (x + 1, y + 1), (x - 1, y + 1), (x + 1, y - 1)]
                where nx >= 0 && ny >= 0 && nx < w && ny < h {
                    let q = ny * w + nx
                    if label[q] < 0 && r.pixels[q] < threshold { label[q] = id; stack.append(q) }
                }
            }
            pieces.append(piece)
        }
        guard !pieces.isEmpty else { return r }
        // The text line: the band the big pieces share.
        let big = pieces.filter { $0.area >= 12 && $0.y1 - $0.y0 >= h / 6 }
        let bandTop = big.map(\.y0).min() ?? 0, bandBottom = big.map(\.y1).max() ?? h - 1
        let glyphHeight = max(4, (big.map { $0.y1 - $0.y0 }.sorted().dropFirst(big.count / 2).first ?? h / 2))
        let baseline = big.map(\.y1).sorted().dropFirst(big.count / 2).first ?? h - 1
        var keep = [Bool](repeating: false, count: pieces.count)
        for (i, p) in pieces.enumerated() {
            // A small mark is punctuation only where and as punctuation sits: on the baseline (a full
            // stop, a comma), by a letter's top (the dot of an i, an apostrophe), or flat (a hyphen).
            // Elsewhere it is a speck.
            if p.area < glyphHeight * glyphHeight / 6 && !big.contains(where: { $0.x0 == p.x0 && $0.y0 == p.y0 && $0.area == p.area }) {
                let onBaseline = abs(p.y1 - baseline) <= max(2, glyphHeight / 5)
                let centre = (p.x0 + p.x1) / 2
                let byLetterTop = p.y1 < baseline - glyphHeight * 45 / 100
                    && big.contains { centre >= $0.x0 - glyphHeight / 3 && centre <= $0.x1 + glyphHeight / 3 && $0.y0 <= p.y1 + glyphHeight / 2 }
                // A hyphen or dash: flat and at least twice as wide as it is high.
                let dash = (p.x1 - p.x0 + 1) >= 2 * (p.y1 - p.y0 + 1)
                if !onBaseline && !byLetterTop && !dash { continue }
            }
            let inBand = p.y1 >= bandTop - glyphHeight / 4 && p.y0 <= bandBottom + glyphHeight / 4
            // Dots of i, j and full stops are small but sit in the band; specks are tiny or out of it.
            // What is left of a border at the crop's edge is thin and touches it.
            let edgeRemnant = (p.x0 == 0 || p.x1 == w - 1) && (p.x1 - p.x0) < glyphHeight / 3
                || (p.y0 == 0 || p.y1 == h - 1) && (p.y1 - p.y0) < glyphHeight / 3
            keep[i] = inBand && !edgeRemnant && p.area >= max(6, glyphHeight * glyphHeight / 40)
        }
        for i in 0..<(w * h) where label[i] >= 0 && !keep[Int(label[i])] { r.pixels[i] = 255 }
        // Faint remains of what was removed would still read as marks.
        for i in 0..<(w * h) where label[i] < 0 && r.pixels[i] < 200 { r.pixels[i] = 255 }
        return r
    }

    /// Pixels darker than `below` (ink at 128; faint or coloured ink at 200).
    public static func darkPixels(_ r: Raster, below: UInt8 = 128) -> Int {
        var n = 0
        for p in r.pixels where p < below { n += 1 }
        return n
    }

    /// How many runs of columns hold ink, left to right: glyphs with paper between them.
    public static func inkColumnRuns(_ r: Raster, below: UInt8 = 128) -> Int { inkColumnSpans(r, below: below).count }

    /// The runs of columns that hold ink, left to right.
    public static func inkColumnSpans(_ r: Raster, below: UInt8 = 128) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var start: Int? = nil
        for x in 0...r.width {
            var inked = false
            if x < r.width { for y in 0..<r.height where r.pixels[y * r.width + x] < below { inked = true; break } }
            if inked, start == nil { start = x }
            if !inked, let s = start { spans.append(s..<x); start = nil }
        }
        return spans
    }

    /// Strokes made a pixel bolder all round (a 3×3 minimum).
    public static func thickened(_ r: Raster) -> Raster {
        var out = r
        for y in 0..<r.height {
            for x in 0..<r.width {
                var v: UInt8 = 255
                for dy in -1...1 { for dx in -1...1 { v = min(v, r[x + dx, y + dy]) } }
                out.pixels[y * r.width + x] = v
            }
        }
        return out
    }


    /// The crop made `factor` times larger (bilinear): another view of the same ink for a second reading.
    public static func enlarged(_ r: Raster, by factor: Double) -> Raster {
        let scaled = r
        var out = Raster(width: Int(Double(r.width) * factor), height: Int(Double(r.height) * factor))
        for y in 0..<out.height {
            for x in 0..<out.width {
                let sx = Double(x) / factor, sy = Double(y) / factor
                let x0 = Int(sx), y0 = Int(sy), fx = sx - Double(x0), fy = sy - Double(y0)
                let v = (Double(scaled[x0, y0]) * (1 - fx) + Double(scaled[x0 + 1, y0]) * fx) * (1 - fy)
                    + (Double(scaled[x0, y0 + 1]) * (1 - fx) + Double(scaled[x0 + 1, y0 + 1]) * fx) * fy
                out.pixels[y * out.width + x] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return out
    }

    /// Whether ink (darker than 128) lies in the last `columns` columns of the crop.
    public static func inkAtRightEdge(_ r: Raster, columns: Int) -> Bool {
        guard r.width > 0 else { return false }
        for y in 0..<r.height {
            for x in max(0, r.width - columns)..<r.width where r.pixels[y * r.width + x] < 128 { return true }
        }
        return false
    }

    /// Otsu's threshold: the grey level that best splits ink from paper.
    public static func otsuThreshold(_ r: Raster) -> UInt8 {
        var histogram = [Int](repeating: 0, count: 256)
        for p in r.pixels { histogram[Int(p)] += 1 }
        let total = Double(r.pixels.count)
        var sum = 0.0
        for i in 0..<256 { sum += Double(i * histogram[i]) }
        var sumB = 0.0, weightB = 0.0, best = 0.0, threshold = 128
        for t in 0..<256 {
            weightB += Double(histogram[t])
            guard weightB > 0 else { continue }
            let weightF = total - weightB
            guard weightF > 0 else { break }
            sumB += Double(t * histogram[t])
            let meanB = sumB / weightB, meanF = (sum - sumB) / weightF
            let between = weightB * weightF * (meanB - meanF) * (meanB - meanF)
            if between > best { best = between; threshold = t }
        }
        return UInt8(threshold)
    }

    /// The crop cut down to its ink (and a little room), so the box's edges are not read as text.
    public static func trimmed(_ r: Raster, margin: Int = 4) -> Raster {
        guard let bounds = inkBounds(r, margin: margin, ink: 128) else { return r }
        return cut(r, to: bounds)
    }

    /// The crop cut down to its ink for a reader of hand print: as `trimmed` at print's darkness
    /// (128), unless ink lighter than that but darker than `faint` reaches a third of the crop's
    /// height beyond it: a whole glyph written faintly (a ballpoint's 6 at 145-160, lost with
    /// its "690" read "90"). A few columns more of faint edge are left out: the model's reading
    /// of a line changes with its framing, and print's darkness frames it as before.
    public static func framed(_ r: Raster, margin: Int = 4, faint: UInt8 = 160) -> Raster {
        // No dark ink at all: left whole, as `trimmed` leaves it (the recognizer frames faint ink itself).
        guard let dark = inkBounds(r, margin: margin, ink: 128) else { return r }
        guard let light = inkBounds(r, margin: margin, ink: faint) else { return cut(r, to: dark) }
        return (light.x1 - light.x0) - (dark.x1 - dark.x0) > r.height / 3 ? cut(r, to: light) : cut(r, to: dark)
    }

    /// Pixel columns `x0...x1` and rows `y0...y1` of a crop.
    typealias Bounds = (x0: Int, y0: Int, x1: Int, y1: Int)

    /// The box around every pixel darker than `ink`, `margin` wider on each side within the crop.
    static func inkBounds(_ r: Raster, margin: Int, ink: UInt8) -> Bounds? {
        var x0 = r.width, y0 = r.height, x1 = -1, y1 = -1
        for y in 0..<r.height {
            for x in 0..<r.width where r.pixels[y * r.width + x] < ink {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= x0, y1 >= y0 else { return nil }
        return (max(0, x0 - margin), max(0, y0 - margin), min(r.width - 1, x1 + margin), min(r.height - 1, y1 + margin))
    }

    /// `r`'s pixels within `b` (inside `r`).
    static func cut(_ r: Raster, to b: Bounds) -> Raster {
        let w = b.x1 - b.x0 + 1, h = b.y1 - b.y0 + 1
        var out = [UInt8](repeating: 255, count: w * h)
        for y in 0..<h {
            out.replaceSubrange(y * w..<(y + 1) * w, with: r.pixels[(y + b.y0) * r.width + b.x0..<(y + b.y0) * r.width + b.x0 + w])
        }
        return Raster(width: w, height: h, pixels: out)
    }

    /// White margin around a crop: tesseract reads a line better with room around it.
    public static func pad(_ r: Raster, by m: Int) -> Raster {
        var out = Raster(width: r.width + 2 * m, height: r.height + 2 * m)
        for y in 0..<r.height {
            let src = y * r.width, dst = (y + m) * out.width + m
            out.pixels.replaceSubrange(dst..<dst + r.width, with: r.pixels[src..<src + r.width])
        }
        return out
    }

    /// Black where darker than `threshold`, white elsewhere.
    public static func binarized(_ r: Raster, threshold: UInt8) -> Raster {
        Raster(width: r.width, height: r.height, pixels: r.pixels.map { $0 < threshold ? 0 : 255 })
    }
}

extension Raster {
    /// The positions of dark pixels on rows whose ink (`rows`, dark pixels per row) is under
    /// `share` of the width: lines and text, without solid bands.
    public func darkPixelIndices(onRowsWithInkBelow share: Double, rows: [Double]) -> [Int] {
        var marks: [Int] = []
        for y in 0..<height where rows[y] < Double(width) * share {
            for x in 0..<width where pixels[y * width + x] < 128 { marks.append(y * width + x) }
        }
        return marks
    }

    /// The share of `marks` (pixel positions in an image `markWidth` wide) that are dark here,
    /// within a pixel, once shifted by `dx`, `dy`.
    public func overlap(marks: [Int], markWidth: Int, dx: Int, dy: Int) -> Double {
        guard !marks.isEmpty, markWidth > 0 else { return 0 }
        var hits = 0
        for index in marks {
            let x = index % markWidth + dx, y = index / markWidth + dy
            if self[x, y] < 128 || self[x + 1, y] < 128 || self[x - 1, y] < 128 || self[x, y + 1] < 128 || self[x, y - 1] < 128 {
                hits += 1
            }
        }
        return Double(hits) / Double(marks.count)
    }
}
