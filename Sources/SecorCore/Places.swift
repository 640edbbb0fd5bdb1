import Foundation
import SecorSchemas

/// The communities a province's forms name (schemas/places/<province>.txt): what a city read off
/// a scan may be. A reading that is none of them is never sure; the list says nothing about what
/// an applicant may write (a company's mail may go elsewhere), so it never rejects.
public struct Places: Sendable {
    /// Each place's name as the list spells it, by its key.
    let names: [String: String]
    /// The places of one word ("Battleford", not "North Battleford"), by key: what a word of a name may be.
    let oneWordNames: [String: String]

    /// The province's two-letter code, as an address written in it ends ("SK").
    public let code: String

    public init(lines: String, code: String = "") {
        self.code = code
        let listed = lines.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        names = Dictionary(listed.map { (Self.key($0), $0) }) { first, _ in first }
        oneWordNames = names.filter { !$0.value.contains(" ") }
    }

    /// Saskatchewan's, as shipped; empty (knowing no place) if the file cannot be read.
    public static let saskatchewan = Places(lines: (try? String(contentsOf: SchemaFiles.places.appendingPathComponent("saskatchewan.txt"),
                                                                encoding: .utf8)) ?? "", code: "SK")

    /// The list a template's field names (`saskatchewan`); nil when none is shipped under that name.
    public static func named(_ name: String) -> Places? {
        name == "saskatchewan" ? saskatchewan : nil
    }

    public var isEmpty: Bool { names.isEmpty }

    /// Compared without case, spaces, accents or punctuation: "ST. WALBURG" is St. Walburg.
    static func key(_ name: some StringProtocol) -> String {
        String(name).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).filter { $0.isLetter }
    }

    public func contains(_ name: String) -> Bool { names[Self.key(name)] != nil }

    /// The place a reading names, spelt as the list spells it ("Sas ka toon" is Saskatoon).
    public func place(_ name: String) -> String? { names[Self.key(name)] }

    /// The place nearest a reading that names none, with how alike they are (0-1) and how far
    /// ahead of the next nearest it is: "Resina" is Regina, alone that near.
    public func nearest(_ reading: String) -> (name: String, similarity: Double, margin: Double)? {
        let key = Self.key(reading)
        guard key.count >= 3 else { return nil }
        return Normalize.nearest(key, in: names, slack: max(2, key.count / 3))
    }

    /// The place a reading is a few letters from, when it can be no other: a letter or two off and
    /// nearer it than any other, or more letters off ("SWAT CURKENI" for Swift Current) but far
    /// nearer it than any other (the list's places are far apart). Nil when it could be another.
    public func nearEnough(_ reading: String) -> (name: String, similarity: Double)? {
        guard let near = nearest(reading) else { return nil }
        let likely = (near.similarity >= 0.75 && near.margin >= 0.2) || (near.similarity >= 0.6 && near.margin >= 0.25)
        return likely ? (near.name, near.similarity) : nil
    }

    /// A name read off a scan with each long word (eight letters or more) one letter from exactly
    /// one of the list's one-word places, and far from every other, spelt as that place ("RATTLEFORD
    /// MECHANICAL LTD" is BATTLEFORD MECHANICAL LTD, "QiAppelle Landscaping" Qu'Appelle
    /// Landscaping); nil when no word changes. Shorter words are left alone: too many surnames a
    /// company is named for are a letter from a town ("Harman" and Warman).
    public func wordsPutRight(_ reading: String) -> String? {
        var changed = false
        let out = reading.split(separator: " ", omittingEmptySubsequences: false).map { part -> String in
            let word = String(part)
            let key = Self.key(word)
            guard key.count >= 8, names[key] == nil, word.allSatisfy({ $0.isLetter || $0 == "'" || $0 == "’" }),
                  let near = Normalize.nearest(key, in: oneWordNames, slack: 1),
                  near.similarity >= 0.85, near.margin >= 0.2 else { return word }
            changed = true
            return Normalize.inCase(of: word, near.name)
        }.joined(separator: " ")
        return changed ? out : nil
    }

    /// An address read off a scan that ends in one of these places and the province's code, put
    /// right at its end: the place spelt as the list spells it and the code as the code ("446 8th
    /// St E, Sask atoon SK", "1396 VICTORIA AVE, HUMBOLDTSK", "…, SWAT CURKENI S"). Only after a
    /// comma, where the place is sure to be; the street is left as read. Nil when the end is no
    /// place near enough, or nothing changes; `edited` when the place itself was a letter or more off.
    public func addressPutRight(_ reading: String) -> (address: String, edited: Bool)? {
        guard !code.isEmpty, let comma = reading.lastIndex(of: ","), comma > reading.startIndex else { return nil }
        let street = reading[..<comma].trimmingCharacters(in: .whitespaces)
        let tail = reading[reading.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard !street.isEmpty, !tail.isEmpty else { return nil }
        let codeKey = Self.key(code)
        var words = tail.split(separator: " ").map(String.init)
        // The code as a word of its own, read a letter off ("S", "SI", "S<", "Sk"), or run on.
        var texts: [String] = []
        if let last = words.last, words.count > 1, last.count <= 2, last.first.map({ Self.key(String($0)) == String(codeKey.prefix(1)) }) == true {
            words.removeLast()
            texts.append(words.joined(separator: " "))
        } else {
            let joined = words.joined(separator: " ")
            texts.append(joined)
            for cut in [codeKey.count, codeKey.count - 1] where cut > 0 && Self.key(joined).count > cut + 3 {
                texts.append(String(joined.dropLast(cut)))
            }
        }
        // A place as read, else (only then) the nearest place a letter or more off.
        let exact = texts.lazy.compactMap { self.place($0) }.first.map { (name: $0, edited: false) }
        guard let found = exact ?? texts.compactMap({ nearEnough($0) })
            .max(by: { $0.similarity < $1.similarity }).map({ (name: $0.name, edited: true) }) else { return nil }
        let upper = tail.filter(\.isLetter).allSatisfy(\.isUppercase)
        let address = street + ", " + (upper ? found.name.uppercased() : found.name) + " " + code
        return address == reading ? nil : (address, found.edited)
    }
}
