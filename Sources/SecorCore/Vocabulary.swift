import Foundation
import SecorSchemas

/// The words people write in a field (schemas/words/<name>.txt: a title's or a position's), what a
/// word read off a scan may be. Like `Places`, it says nothing about what an applicant may write:
/// a word that is none of them stays as read, and nothing here makes a reading surer.
public struct Vocabulary: Sendable {
    /// Each word as the list spells it, by its key.
    let words: [String: String]

    /// Whether only a name's first word is one of these (a given name, the family name after it).
    public let firstWordOnly: Bool

    public init(lines: String, firstWordOnly: Bool = false) {
        self.firstWordOnly = firstWordOnly
        let listed = lines.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        words = Dictionary(listed.map { (Self.key($0), $0) }) { first, _ in first }
    }

    /// Titles and positions, as shipped; empty (knowing no word) if the file cannot be read.
    public static let titles = Vocabulary(lines: (try? String(contentsOf: SchemaFiles.words.appendingPathComponent("titles.txt"),
                                                              encoding: .utf8)) ?? "")

    /// Given names, as shipped: only a name's first word is put right by them.
    public static let givenNames = Vocabulary(lines: (try? String(contentsOf: SchemaFiles.words.appendingPathComponent("given-names.txt"),
                                                                  encoding: .utf8)) ?? "", firstWordOnly: true)

    /// The list a template's field names (`titles`, `given-names`); nil when none is shipped under that name.
    public static func named(_ name: String) -> Vocabulary? {
        switch name {
        case "titles": titles
        case "given-names": givenNames
        default: nil
        }
    }

    static func key(_ word: some StringProtocol) -> String {
        String(word).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).filter { $0.isLetter || $0 == "/" || $0 == "-" }
    }

    /// Whether `key` is fewer letters from `near` than from any other word of the list ("FFICE" is
    /// one from Office, two from Officer: nearly as alike by the share of their letters). A letter
    /// the reading lacks counts for less than one it has wrong or more: a thin glyph run into the
    /// next (the I of "ROBN") is the likeliest slip of the reader, so ROBN is Robin before it is Rob.
    func fewestEdits(_ key: String, _ near: String) -> Bool {
        let nearKey = Self.key(near), best = Self.edits(key, nearKey)
        return !words.keys.contains { $0 != nearKey && abs($0.count - key.count) <= 2 && Self.edits(key, $0) <= best }
    }

    /// The letters it takes to make `word` of `reading`: one for a letter changed or left over,
    /// three quarters for one the reading lacks.
    static func edits(_ reading: String, _ word: String) -> Double {
        let x = Array(reading), y = Array(word)
        var previous = (0...y.count).map { Double($0) * 0.75 }
        for i in x.indices {
            var current = [Double(i + 1)] + [Double](repeating: 0, count: y.count)
            for j in y.indices {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 0.75, previous[j] + (x[i] == y[j] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    /// `reading` with each word a letter or two from exactly one of the list's words, and from no
    /// other as near, put right in the reading's case ("Presicent" is President, "MANAGNG PARTNER"
    /// MANAGING PARTNER, "FFICE MANACER" OFFICE MANAGER); nil when no word changes. Words of fewer
    /// than four letters are left alone: too many words are a letter from them.
    public func putRight(_ reading: String) -> String? {
        guard !words.isEmpty else { return nil }
        var changed = false
        let parts = reading.split(separator: " ", omittingEmptySubsequences: false)
        // A person's given name is the first word, or the first after a comma ("OLSON, ROBIN").
        let given = firstWordOnly ? (parts.firstIndex { $0.hasSuffix(",") }.map { $0 + 1 } ?? parts.firstIndex { !$0.isEmpty }) : nil
        let out = parts.enumerated().map { index, part -> String in
            let word = String(part)
            if firstWordOnly, index != given { return word }
            let trailing = word.reversed().prefix { $0 == "." || $0 == "," }.count
            let bare = String(word.dropLast(trailing))
            let key = Self.key(bare)
            guard key.count >= 4, key.count == bare.count, words[key] == nil else { return word }
            // A name is put right only to one as long or longer: the reader loses letters (a thin
            // glyph run into the next) far more often than it makes them up, and many names are
            // another with a letter more ("Gray" and Ray).
            let candidates = firstWordOnly ? words.filter { $0.key.count >= key.count } : words
            guard let near = Normalize.nearest(key, in: candidates, slack: 2), near.similarity >= 0.75,
                  near.margin >= 0.15 || fewestEdits(key, near.name) else { return word }
            let w = near.name
            changed = true
            let lower = bare.filter(\.isLetter).allSatisfy(\.isLowercase)
            return (lower ? w.lowercased() : Normalize.inCase(of: bare, w)) + String(word.suffix(trailing))
        }.joined(separator: " ")
        return changed ? out : nil
    }
}
