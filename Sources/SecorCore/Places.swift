import Foundation
import SecorSchemas

/// The communities a province's forms name (schemas/places/<province>.txt): what a city read off
/// a scan may be. A reading that is none of them is never sure; the list says nothing about what
/// an applicant may write (a company's mail may go elsewhere), so it never rejects.
public struct Places: Sendable {
    /// Each place's name as the list spells it, by its key.
    let names: [String: String]

    public init(lines: String) {
        let listed = lines.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        names = Dictionary(listed.map { (Self.key($0), $0) }) { first, _ in first }
    }

    /// Saskatchewan's, as shipped; empty (knowing no place) if the file cannot be read.
    public static let saskatchewan = Places(lines: (try? String(contentsOf: SchemaFiles.places.appendingPathComponent("saskatchewan.txt"),
                                                                encoding: .utf8)) ?? "")

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
        var best: (String, Double)? = nil, second = 0.0
        for (k, name) in names where abs(k.count - key.count) <= max(2, key.count / 3) {
            let s = Normalize.similarity(k, key)
            if s > (best?.1 ?? -1) { second = best?.1 ?? second; best = (name, s) } else if s > second { second = s }
        }
        return best.map { ($0.0, $0.1, $0.1 - second) }
    }
}
