/// Streaks: thin straight lines a fax's or a scanner's dirty sensor draws along the whole page,
/// through boxes and writing alike. Left in, one is read as an "I" in an empty box, and where it
/// touches a letter the two are one piece of ink ("1147" read "147").
public struct Streak: Sendable, Equatable {
    /// Along the image's columns (down the page) or its rows.
    public let vertical: Bool
    /// The column (or row) it runs along.
    public let line: Int
    /// Its first and last row (or column).
    public let from: Int, to: Int
}

extension Raster {
    /// The streaks at least `minimumLength` pixels long and no wider than `maximumWidth`, along
    /// columns and rows. A run may break for a pixel or two (a fax's noise) and still be one.
    /// Thin means paper just beyond `maximumWidth` on both sides for most of its length; a wide
    /// dark area, a page's edge or a letter is never one.
    public func streaks(minimumLength: Int, maximumWidth: Int = 3, threshold: UInt8 = 200) -> [Streak] {
        guard width > 0, height > 0, minimumLength > 0 else { return [] }
        var found: [Streak] = []
        for vertical in [true, false] {
            let lines = vertical ? width : height, length = vertical ? height : width
            func dark(_ line: Int, _ at: Int) -> Bool {
                guard line >= 0, line < lines else { return false }
                return (vertical ? pixels[at * width + line] : pixels[line * width + at]) < threshold
            }
            for line in 0..<lines {
                var at = 0
                while at < length {
                    guard dark(line, at) else { at += 1; continue }
                    var end = at, gap = 0
                    var next = at + 1
                    while next < length {
                        if dark(line, next) { end = next; gap = 0 } else { gap += 1; if gap > 2 { break } }
                        next += 1
                    }
                    if end - at + 1 >= minimumLength {
                        // Thin: paper on both sides, past its width, for most of its length.
                        var alone = 0
                        for s in at...end where !dark(line - maximumWidth - 1, s) && !dark(line + maximumWidth + 1, s) { alone += 1 }
                        if Double(alone) >= Double(end - at + 1) * 0.7 {
                            found.append(Streak(vertical: vertical, line: line, from: at, to: end))
                        }
                    }
                    at = end + 1
                }
            }
        }
        return found
    }

    /// `streaks` made paper where they run alone. Where writing crosses one (ink just beyond its
    /// width on either side) its pixels are kept: they are the letter's stroke as much as the streak's.
    public mutating func whiten(_ streaks: [Streak], maximumWidth: Int = 3, threshold: UInt8 = 200) {
        let original = self
        for streak in streaks {
            for s in streak.from...streak.to {
                let (x, y) = streak.vertical ? (streak.line, s) : (s, streak.line)
                let (bx, by) = streak.vertical ? (maximumWidth + 1, 0) : (0, maximumWidth + 1)
                guard original[x - bx, y - by] >= threshold, original[x + bx, y + by] >= threshold else { continue }
                pixels[y * width + x] = 255
            }
        }
    }
}
