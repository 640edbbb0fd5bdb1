import Foundation
import SecorSchemas

/// The communities a province's forms name (schemas/places/<province>.txt): what a city read off
/// a scan may be. A reading that is none of them is never sure; the list says nothing about what
/// an applicant may write (a company's mail may go elsewhere), so it never rejects.
public struct Places: Sendable {
    let keys: Set<String>

    public init(lines: String) {
        keys = Set(lines.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map(Self.key))
    }

    /// Saskatchewan's, as shipped; empty (knowing no place) if the file cannot be read.
    public static let saskatchewan = Places(lines: (try? String(contentsOf: SchemaFiles.places.appendingPathComponent("saskatchewan.txt"),
                                                                encoding: .utf8)) ?? "")

    /// The list a template's field names (`saskatchewan`); nil when none is shipped under that name.
    public static func named(_ name: String) -> Places? {
        name == "saskatchewan" ? saskatchewan : nil
    }

    public var isEmpty: Bool { keys.isEmpty }

    /// Compared without case, spaces, accents or punctuation: "ST. WALBURG" is St. Walburg.
    static func key(_ name: some StringProtocol) -> String {
        String(name).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).filter { $0.isLetter }
    }

    public func contains(_ name: String) -> Bool { keys.contains(Self.key(name)) }
}
