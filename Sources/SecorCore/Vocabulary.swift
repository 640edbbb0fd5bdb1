import Foundation
import SecorSchemas

/// The words people write in a field (schemas/words/<name>.txt: a title's or a position's), what a
/// word read off a scan may be. Like `Places`, it says nothing about what an applicant may write:
/// a word that is none of them stays as read, and nothing here makes a reading surer.
public struct Vocabulary: Sendable {
    /// Each word as the list spells it, by its key.
    let words: [String: String]

    public init(lines: String) {
        let listed = lines.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        words = Dictionary(listed.map { (Self.key($0), $0) }) { first, _ in first }
    }

    /// Titles and positions, as shipped; empty (knowing no word) if the file cannot be read.
    public static let titles = Vocabulary(lines: (try? String(contentsOf: SchemaFiles.words.appendingPathComponent("titles.txt"),
                                                              encoding: .utf8)) ?? "")

    /// The list a template's field names (`titles`); nil when none is shipped under that name.
    public static func named(_ name: String) -> Vocabulary? {
        name == "titles" ? titles : nil
    }

    static func key(_ word: some StringProtocol) -> String {
        String(word).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).filter { $0.isLetter || $0 == "/" || $0 == "-" }
    }

    /// Whether `word` is fewer letters from `near` than from any other word of the list ("FFICE" is
    /// one from Office, two from Officer: nearly as alike by the share of their letters).
    func fewestEdits(_ key: String, _ near: String) -> Bool {
        func edits(_ other: String) -> Int {
            Int((Double(max(key.count, other.count)) * (1 - Normalize.similarity(key, other))).rounded())
        }
        let best = edits(Self.key(near))
        return !words.keys.contains { $0 != Self.key(near) && abs($0.count - key.count) <= 2 && edits($0) <= best }
    }

    /// `reading` with each word a letter or two from exactly one of the list's words, and from no
    /// other as near, put right in the reading's case ("Presicent" is President, "MANAGNG PARTNER"
    /// MANAGING PARTNER, "FFICE MANACER" OFFICE MANAGER); nil when no word changes. Words of fewer
    /// than four letters are left alone: too many words are a letter from them.
    public func putRight(_ reading: String) -> String? {
        guard !words.isEmpty else { return nil }
        var changed = false
        let out = reading.split(separator: " ", omittingEmptySubsequences: false).map { part -> String in
            let word = String(part)
            let trailing = word.reversed().prefix { $0 == "." || $0 == "," }.count
            let bare = String(word.dropLast(trailing))
            let key = Self.key(bare)
            guard key.count >= 4, key.count == bare.count, words[key] == nil else { return word }
            guard let near = Normalize.nearest(key, in: words, slack: 2), near.similarity >= 0.75,
                  near.margin >= 0.15 || fewestEdits(key, near.name) else { return word }
            let w = near.name
            changed = true
            let lower = bare.filter(\.isLetter).allSatisfy(\.isLowercase)
            return (lower ? w.lowercased() : Normalize.inCase(of: bare, w)) + String(word.suffix(trailing))
        }.joined(separator: " ")
        return changed ? out : nil
    }
}
