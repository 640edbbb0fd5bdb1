import Imaging
import SecorCore

/// A page's text layer: characters with their boxes, in the reader's order.
/// Values are found by where they sit (inside a field's box), never by splitting lines.
public struct TextLayer: Sendable {
    public struct Character: Sendable {
        public let value: Swift.Character
        public let box: Box
        public init(_ value: Swift.Character, _ box: Box) { self.value = value; self.box = box }
    }

    public let characters: [Character]
    /// Per character: whether it is white space (worked out once; Unicode lookups are slow).
    private let isSpace: [Bool]
    /// The layer's text as scalars with runs of white space collapsed to one space,
    /// and for each, the index of its character.
    private let collapsed: [UInt32]
    private let collapsedIndex: [Int]

    public init(_ characters: [Character]) {
        self.characters = characters
        var isSpace: [Bool] = []
        var collapsed: [UInt32] = []
        var collapsedIndex: [Int] = []
        isSpace.reserveCapacity(characters.count)
        collapsed.reserveCapacity(characters.count)
        collapsedIndex.reserveCapacity(characters.count)
        for (i, c) in characters.enumerated() {
            let space = Self.isWhitespace(c.value)
            isSpace.append(space)
            if space {
                if let last = collapsed.last, last != 32 { collapsed.append(32); collapsedIndex.append(i) }
            } else {
                collapsed.append(c.value.unicodeScalars.first?.value ?? 0)
                collapsedIndex.append(i)
            }
        }
        self.isSpace = isSpace
        self.collapsed = collapsed
        self.collapsedIndex = collapsedIndex
    }

    private static func isWhitespace(_ c: Swift.Character) -> Bool {
        guard let first = c.unicodeScalars.first else { return true }
        switch first.value {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0xA0: return true
        case 0..<0x80: return false
        default: return c.isWhitespace
        }
    }

    public var isEmpty: Bool { !isSpace.contains(false) }

    /// The text whose characters have their centres inside `box` (and the rest of a word that
    /// starts inside it), with words kept apart and runs of space collapsed; and the box the text
    /// covers.
    public func text(in box: Box) -> (text: String, box: Box?) {
        var out = ""
        var covered: Box? = nil
        var pendingSpace = false
        var lastIncluded = -2
        var lastBox: Box? = nil
        for (i, c) in characters.enumerated() {
            // A word that starts inside the box is taken whole, though it runs past the box's
            // right edge (`Saskatchewan` typed into a narrow province box).
            let continuesWord = i == lastIncluded + 1 && !isSpace[i] && lastBox.map { lb in
                c.box.midX > box.maxX && c.box.x - lb.maxX <= max(1.5, lb.height * 0.25) && abs(c.box.midY - lb.midY) <= lb.height * 0.6
            } == true
            guard continuesWord || box.contains(x: c.box.midX, y: c.box.midY) else { continue }
            if isSpace[i] {
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
        for (i, c) in characters.enumerated() where !isSpace[i] && box.contains(x: c.box.midX, y: c.box.midY) {
            return true
        }
        return false
    }

    /// Where `phrase` (words separated by any white space) starts in the collapsed text, at most `limit` times.
    private func occurrences(of phrase: String, limit: Int) -> [Int] {
        var wanted: [UInt32] = []
        for word in phrase.split(whereSeparator: \.isWhitespace) {
            if !wanted.isEmpty { wanted.append(32) }
            wanted.append(contentsOf: word.unicodeScalars.map(\.value))
        }
        guard !wanted.isEmpty, wanted.count <= collapsed.count else { return [] }
        var starts: [Int] = []
        var start = 0
        let first = wanted[0]
        while start + wanted.count <= collapsed.count {
            if collapsed[start] == first {
                var k = 1
                while k < wanted.count && collapsed[start + k] == wanted[k] { k += 1 }
                if k == wanted.count {
                    starts.append(start)
                    if starts.count >= limit { break }
                    start += wanted.count
                    continue
                }
            }
            start += 1
        }
        return starts.map { $0 } + (starts.isEmpty ? [] : [wanted.count])
    }

    /// Finds `phrase` and returns the box it covers. Only a phrase found exactly once
    /// is returned, so an anchor is never ambiguous.
    public func find(_ phrase: String) -> Box? {
        let found = occurrences(of: phrase, limit: 2)
        // The last element is the phrase's length.
        guard found.count == 2, let start = found.first, let length = found.last else { return nil }
        var b: Box? = nil
        for k in start..<start + length where collapsed[k] != 32 {
            let cb = characters[collapsedIndex[k]].box
            b = b.map { $0.union(cb) } ?? cb
        }
        return b
    }

    /// Whether all of `phrase` appears.
    public func contains(_ phrase: String) -> Bool {
        !occurrences(of: phrase, limit: 1).isEmpty
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
