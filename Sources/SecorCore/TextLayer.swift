/// A page's text layer: characters with their boxes, in the reader's order.
/// Values are found by where they sit (inside a field's box), never by splitting lines.
public struct TextLayer: Sendable {
    public struct Character: Sendable {
        public let value: Swift.Character
        public let box: Box
        public init(_ value: Swift.Character, _ box: Box) { self.value = value; self.box = box }
    }

    public let characters: [Character]

    public init(_ characters: [Character]) { self.characters = characters }

    public var isEmpty: Bool { !characters.contains { !$0.value.isWhitespace } }

    /// The text whose characters have their centres inside `box`, with words kept apart
    /// and runs of space collapsed; and the box the text covers.
    public func text(in box: Box) -> (text: String, box: Box?) {
        var out = ""
        var covered: Box? = nil
        var pendingSpace = false
        var lastIncluded = -2
        var lastBox: Box? = nil
        for (i, c) in characters.enumerated() {
            guard box.contains(x: c.box.midX, y: c.box.midY) else { continue }
            if c.value.isWhitespace || c.value.isNewline {
                pendingSpace = !out.isEmpty
                lastIncluded = i
                continue
            }
            // A gap in reading order, or a jump on the page, separates words.
            if let lb = lastBox, !out.isEmpty {
                let jumped = i != lastIncluded + 1 || c.box.x - lb.maxX > max(1.5, lb.height * 0.25) || abs(c.box.midY - lb.midY) > lb.height * 0.6
                if jumped { pendingSpace = true }
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(c.value)
            covered = covered.map { $0.union(c.box) } ?? c.box
            lastIncluded = i
            lastBox = c.box
        }
        return (out, covered)
    }

    /// Whether any visible character sits inside `box` (a typed tick: ■, ✓, X).
    public func hasMark(in box: Box) -> Bool {
        characters.contains { !$0.value.isWhitespace && box.contains(x: $0.box.midX, y: $0.box.midY) }
    }

    /// Finds `phrase` (words separated by any whitespace) and returns the box it covers.
    /// Only a phrase found exactly once is returned, so an anchor is never ambiguous.
    public func find(_ phrase: String) -> Box? {
        let wanted = Array(phrase.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        guard !wanted.isEmpty else { return nil }
        // The layer with whitespace collapsed, remembering each character's index.
        var flat: [Swift.Character] = []
        var index: [Int] = []
        for (i, c) in characters.enumerated() {
            if c.value.isWhitespace || c.value.isNewline {
                if let last = flat.last, last != " " { flat.append(" "); index.append(i) }
            } else {
                flat.append(c.value); index.append(i)
            }
        }
        var found: Box? = nil
        var hits = 0
        var start = 0
        while start + wanted.count <= flat.count {
            if flat[start] == wanted[0], Array(flat[start..<start + wanted.count]) == wanted {
                hits += 1
                if hits > 1 { return nil }
                var b: Box? = nil
                for k in start..<start + wanted.count where flat[k] != " " {
                    let cb = characters[index[k]].box
                    b = b.map { $0.union(cb) } ?? cb
                }
                found = b
                start += wanted.count
            } else {
                start += 1
            }
        }
        return found
    }

    /// Whether all of `phrase` appears.
    public func contains(_ phrase: String) -> Bool {
        let hay = characters.map { $0.value.isWhitespace || $0.value.isNewline ? " " : String($0.value) }.joined()
        let collapsed = hay.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let wanted = phrase.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return collapsed.contains(wanted)
    }
}

/// How far a page sits from the blank form, in points.
public struct PageOffset: Sendable, Hashable {
    public var dx: Double
    public var dy: Double
    /// How many printed lines agreed on the offset.
    public var anchorsFound: Int
    public static let zero = PageOffset(dx: 0, dy: 0, anchorsFound: 0)
    public init(dx: Double, dy: Double, anchorsFound: Int) { self.dx = dx; self.dy = dy; self.anchorsFound = anchorsFound }

    /// The median shift of the template's printed lines found on this page.
    public static func estimate(layer: TextLayer, anchors: [TemplateAnchor]) -> PageOffset {
        var dxs: [Double] = [], dys: [Double] = []
        for anchor in anchors {
            guard let found = layer.find(anchor.text) else { continue }
            dxs.append(found.x - anchor.box.x)
            dys.append(found.y - anchor.box.y)
        }
        guard !dxs.isEmpty else { return .zero }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
        let dx = median(dxs), dy = median(dys)
        // Within a point is the same place: keep the template's numbers exact.
        return PageOffset(dx: abs(dx) < 1 ? 0 : dx, dy: abs(dy) < 1 ? 0 : dy, anchorsFound: dxs.count)
    }
}

/// A grey raster of part of a page (0 black, 255 white), for measuring ink.
public struct InkImage: Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]
    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// The share of pixels darker than `threshold`.
    public func darkFraction(threshold: UInt8 = 128) -> Double {
        guard !pixels.isEmpty else { return 0 }
        var dark = 0
        for p in pixels where p < threshold { dark += 1 }
        return Double(dark) / Double(pixels.count)
    }
}
