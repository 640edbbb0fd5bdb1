import Foundation

/// A page photographed with a phone: the sheet lies on a table, smaller than the picture, seen
/// a little from the side. Found as the picture's largest bright region and its four corners,
/// then flattened onto a page of the form's size.
public enum PhotographedPage {
    /// The sheet's corners in `image` (top left, top right, bottom right, bottom left), or nil when
    /// no bright sheet stands out from a darker surround (a scan: the paper fills the picture).
    public static func corners(in image: Raster) -> [(x: Double, y: Double)]? {
        let factor = 4
        let small = image.downsampled(by: factor)
        let w = small.width, h = small.height
        guard w > 20, h > 20 else { return nil }
        // Paper however dimly lit, apart from the surround: the split between bright and dark puts
        // dim paper with the surround, so the line is drawn halfway between it and the surround's
        // own level (a table's texture stays below it; paper in a shadow stays above).
        let first = CropCleaning.otsuThreshold(small)
        let darker = small.pixels.filter { $0 < first }
        guard darker.count > 16 else { return nil }
        let surround = Double(darker.reduce(0) { $0 + Int($1) }) / Double(darker.count)
        let threshold = UInt8((surround + Double(first)) / 2)
        // Paper is bright; a table, a hand or a shadow around it is not. Print on the sheet is dark
        // too, so the sheet is the bright region with its print filled in (its outline).
        var bright = small.pixels.map { $0 > threshold }
        // The largest 4-connected bright region.
        var label = [Int32](repeating: -1, count: w * h)
        var best = (id: Int32(-1), size: 0)
        var stack: [Int] = []
        var next: Int32 = 0
        for start in 0..<(w * h) where bright[start] && label[start] < 0 {
            label[start] = next
            stack.append(start)
            var size = 0
            while let q = stack.popLast() {
                size += 1
                let x = q % w, y = q / w
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < w && ny < h {
                    let n = ny * w + nx
                    if bright[n] && label[n] < 0 { label[n] = next; stack.append(n) }
                }
            }
            if size > best.size { best = (next, size) }
            next += 1
        }
        guard best.size >= w * h / 4 else { return nil }
        for i in bright.indices { bright[i] = label[i] == best.id }
        // Its corners: the points furthest out along each diagonal.
        var tl = (v: Int.max, x: 0, y: 0), br = (v: Int.min, x: 0, y: 0), tr = (v: Int.min, x: 0, y: 0), bl = (v: Int.max, x: 0, y: 0)
        for y in 0..<h {
            for x in 0..<w where bright[y * w + x] {
                if x + y < tl.v { tl = (x + y, x, y) }
                if x + y > br.v { br = (x + y, x, y) }
                if x - y > tr.v { tr = (x - y, x, y) }
                if x - y < bl.v { bl = (x - y, x, y) }
            }
        }
        let points = [tl, tr, br, bl].map { (x: (Double($0.x) + 0.5) * Double(factor), y: (Double($0.y) + 0.5) * Double(factor)) }
        // A sheet that fills the picture (to within 3% at every corner) is a scan, not a photograph.
        let frame = [(0.0, 0.0), (Double(image.width), 0.0), (Double(image.width), Double(image.height)), (0.0, Double(image.height))]
        let margin = 0.03 * Double(max(image.width, image.height))
        if zip(points, frame).allSatisfy({ abs($0.0.x - $0.1.0) < margin && abs($0.0.y - $0.1.1) < margin }) { return nil }
        // Four corners of a sheet, not a sliver.
        let top = hypot(points[1].x - points[0].x, points[1].y - points[0].y)
        let left = hypot(points[3].x - points[0].x, points[3].y - points[0].y)
        guard top > Double(image.width) / 3, left > Double(image.height) / 3 else { return nil }
        return points
    }

    /// The sheet at `corners` in `image`, flattened onto a `width` by `height` page.
    public static func flattened(_ image: Raster, corners: [(x: Double, y: Double)], width: Int, height: Int) -> Raster? {
        guard corners.count == 4, width > 0, height > 0,
              let h = homography(from: [(0, 0), (Double(width), 0), (Double(width), Double(height)), (0, Double(height))], to: corners)
        else { return nil }
        var out = [UInt8](repeating: 255, count: width * height)
        for v in 0..<height {
            for u in 0..<width {
                let x = Double(u) + 0.5, y = Double(v) + 0.5
                let d = h[6] * x + h[7] * y + 1
                let sx = (h[0] * x + h[1] * y + h[2]) / d - 0.5, sy = (h[3] * x + h[4] * y + h[5]) / d - 0.5
                guard sx > -1, sy > -1, sx < Double(image.width), sy < Double(image.height) else { continue }
                let ix = Int(sx.rounded(.down)), iy = Int(sy.rounded(.down))
                let fx = sx - Double(ix), fy = sy - Double(iy)
                let a = Double(image[ix, iy]), b = Double(image[ix + 1, iy]), c = Double(image[ix, iy + 1]), e = Double(image[ix + 1, iy + 1])
                let value = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + e * fx) * fy
                out[v * width + u] = UInt8(max(0, min(255, value.rounded())))
            }
        }
        return Raster(width: width, height: height, pixels: out)
    }

    /// The page with its lighting made even: each pixel divided by the paper's brightness around
    /// it (the brightest in a 64-pixel neighbourhood), so a photograph's shadowed corner is white
    /// paper with dark print, as a scan's is.
    public static func evenlyLit(_ image: Raster, block: Int = 64) -> Raster {
        let bw = (image.width + block - 1) / block, bh = (image.height + block - 1) / block
        var brightest = [Double](repeating: 0, count: bw * bh)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let i = (y / block) * bw + x / block
                brightest[i] = max(brightest[i], Double(image.pixels[y * image.width + x]))
            }
        }
        // A block all print (a title band) takes its brightest neighbour's paper.
        var paper = brightest
        for by in 0..<bh {
            for bx in 0..<bw {
                var m = 0.0
                for ny in max(0, by - 1)...min(bh - 1, by + 1) { for nx in max(0, bx - 1)...min(bw - 1, bx + 1) { m = max(m, brightest[ny * bw + nx]) } }
                paper[by * bw + bx] = max(m, 32)
            }
        }
        var out = image
        for y in 0..<image.height {
            let gy = max(0, min(Double(bh - 1), (Double(y) + 0.5) / Double(block) - 0.5))
            let y0 = Int(gy), y1 = min(bh - 1, y0 + 1), fy = gy - Double(y0)
            for x in 0..<image.width {
                let gx = max(0, min(Double(bw - 1), (Double(x) + 0.5) / Double(block) - 0.5))
                let x0 = Int(gx), x1 = min(bw - 1, x0 + 1), fx = gx - Double(x0)
                let level = (paper[y0 * bw + x0] * (1 - fx) + paper[y0 * bw + x1] * fx) * (1 - fy)
                    + (paper[y1 * bw + x0] * (1 - fx) + paper[y1 * bw + x1] * fx) * fy
                out.pixels[y * image.width + x] = UInt8(min(255, (Double(image.pixels[y * image.width + x]) * 255 / level).rounded()))
            }
        }
        return out
    }

    /// The projective map taking each of `from` to the matching `to` point, as its eight
    /// coefficients (the ninth is 1); nil when the points are degenerate.
    static func homography(from: [(Double, Double)], to: [(x: Double, y: Double)]) -> [Double]? {
        var m = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (x, y) = from[i], (X, Y) = (to[i].x, to[i].y)
            m[2 * i] = [x, y, 1, 0, 0, 0, -x * X, -y * X, X]
            m[2 * i + 1] = [0, 0, 0, x, y, 1, -x * Y, -y * Y, Y]
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..<8 {
            guard let pivot = (col..<8).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }), abs(m[pivot][col]) > 1e-12 else { return nil }
            m.swapAt(col, pivot)
            for row in 0..<8 where row != col {
                let f = m[row][col] / m[col][col]
                if f != 0 { for k in col..<9 { m[row][k] -= f * m[col][k] } }
            }
        }
        return (0..<8).map { m[$0][8] / m[$0][$0] }
    }
}
